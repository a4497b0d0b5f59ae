#pragma once
#include <stdexcept>

namespace ddpm {

// A caller's progress or frame callback asked to stop; state stays consistent.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace ddpm
