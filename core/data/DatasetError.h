#pragma once
#include <stdexcept>
#include <string>

#include "util/Cancelled.h"

namespace ddpm {

// Bad input: the message always names the file and the reason.
class DatasetError : public std::runtime_error {
public:
    DatasetError(const std::string& path, const std::string& reason)
        : std::runtime_error(path + ": " + reason), path_(path), reason_(reason) {}
    const std::string& path() const { return path_; }
    const std::string& reason() const { return reason_; }

private:
    std::string path_, reason_;
};

}  // namespace ddpm
