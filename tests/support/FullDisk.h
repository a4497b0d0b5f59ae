#pragma once
// While it lives, writes fail as on a full disk: a file-size limit (EFBIG; ENOSPC on a real one),
// with SIGXFSZ ignored so that the write returns the error instead of ending the process.
#include <sys/resource.h>

#include <csignal>

namespace ddpm::test {

class FullDisk {
public:
    explicit FullDisk(rlim_t bytes) : previousHandler_(std::signal(SIGXFSZ, SIG_IGN)) {
        getrlimit(RLIMIT_FSIZE, &original_);
        struct rlimit small = original_;
        small.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &small);
    }
    ~FullDisk() { lift(); }
    FullDisk(const FullDisk&) = delete;
    FullDisk& operator=(const FullDisk&) = delete;
    void lift() {
        if (lifted_) return;
        setrlimit(RLIMIT_FSIZE, &original_);
        std::signal(SIGXFSZ, previousHandler_);
        lifted_ = true;
    }

private:
    struct rlimit original_ {};
    void (*previousHandler_)(int);
    bool lifted_ = false;
};

}  // namespace ddpm::test
