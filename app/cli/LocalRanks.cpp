#include "cli/LocalRanks.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <optional>
#include <thread>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/ChildProcess.h"
#include "distributed/DistributedGroup.h"

extern char** environ;

namespace ddpm::cli {

namespace {

using Clock = std::chrono::steady_clock;

std::string describeStatus(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    return "stopped";
}

// This process's environment with the rank's variables set (built before fork: exec's child may not allocate).
std::vector<std::string> rankEnvironment(int rank, int count, int port) {
    const std::vector<std::pair<std::string, std::string>> set = {
        {"RANK", std::to_string(rank)},        {"LOCAL_RANK", std::to_string(rank)},
        {"WORLD_SIZE", std::to_string(count)}, {"LOCAL_WORLD_SIZE", std::to_string(count)},
        {"MASTER_ADDR", "127.0.0.1"},          {"MASTER_PORT", std::to_string(port)},
        {"TORCHELASTIC_USE_AGENT_STORE", "True"}};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        bool replaced = false;
        for (const auto& [name, value] : set) replaced = replaced || entry.rfind(name + "=", 0) == 0;
        if (!replaced) env.push_back(entry);
    }
    for (const auto& [name, value] : set) env.push_back(name + "=" + value);
    return env;
}

pid_t startRank(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    std::vector<char*> args, vars;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const auto& v : env) vars.push_back(const_cast<char*>(v.c_str()));
    vars.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);   // the launcher killed: its ranks go with it
        if (getppid() != parent) _exit(1);
        execve(args[0], args.data(), vars.data());
        _exit(127);
    }
    return pid;
}

}  // namespace

int runLocalRanks(int count, const std::vector<std::string>& args, double timeoutSeconds) {
    RendezvousHost rendezvous("127.0.0.1", 0, timeoutSeconds);
    std::vector<std::string> argv{selfExecutable()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<pid_t> ranks;
    for (int r = 0; r < count; ++r) {
        const pid_t pid = startRank(argv, rankEnvironment(r, count, rendezvous.port()));
        if (pid < 0) {
            std::cerr << "ddpm train: cannot start rank " << r << ": " << std::strerror(errno) << "\n";
            for (pid_t started : ranks) kill(started, SIGTERM);
            for (pid_t started : ranks) waitpid(started, nullptr, 0);
            return 1;
        }
        ranks.push_back(pid);
    }
    // Ctrl+C reaches every rank from the terminal and ends each (the last checkpoint stays
    // whole); the launcher outlives them to report it.
    std::signal(SIGINT, SIG_IGN);
    int running = count, failures = 0;
    std::optional<Clock::time_point> killAt;
    while (running > 0) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            const auto found = std::find(ranks.begin(), ranks.end(), pid);
            if (found == ranks.end()) continue;
            const int rank = int(found - ranks.begin());
            *found = -1;
            --running;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                std::cerr << "ddpm train: rank " << rank << " of " << count << " " << describeStatus(status) << "\n";
                ++failures;
                if (!killAt)
                    killAt = Clock::now() + std::chrono::milliseconds(int64_t(timeoutSeconds * 1000) + 10000);
            }
            continue;
        }
        if (killAt && Clock::now() > *killAt) {
            for (size_t r = 0; r < ranks.size(); ++r)
                if (ranks[r] > 0) {
                    std::cerr << "ddpm train: rank " << r << " still running " << int(timeoutSeconds) + 10
                              << " s after another failed: killing it\n";
                    kill(ranks[r], SIGKILL);
                }
            killAt.reset();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return failures == 0 ? 0 : 1;
}

}  // namespace ddpm::cli
