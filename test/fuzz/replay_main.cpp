// DOC: replay_main — runs a libFuzzer target without libFuzzer.
//
//   fuzz_replay_wire [-v] [-timeout=SECONDS] DIR|FILE...
//
// Linked with one fuzz_*.cpp, it feeds LLVMFuzzerTestOneInput() every regular
// file in the directories (not recursive) and the files given, in name order.
// Each input runs in a child process, so one crash does not hide the rest:
// the runner names every input that crashed (signal or abnormal exit; an
// input still running after -timeout seconds, 10 by default, is killed by
// SIGALRM, as libFuzzer's -timeout; memory is capped at 2 GiB) and
// exits 1 if any did, 2 on a usage error or when there was nothing to run
// (a missing corpus must not pass as an empty one). This is how the same
// sources build with any compiler and replay the checked-in corpus under
// ctest (PowerDNS's standalone fuzz runner, with a fork per input).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool under_asan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool under_asan = true;
#else
constexpr bool under_asan = false;
#endif
#else
constexpr bool under_asan = false;
#endif

/// Runs one input in this (child) process; never returns.
[[noreturn]] void run_child(const std::string& path, unsigned timeout) {
    alarm(timeout);  // default action: terminate, reported as a crash
    // "Allocate without bound" becomes a failure here too: 2 GiB, as
    // libFuzzer's -rss_limit_mb=2048 (ASan reserves far more address space).
    if (!under_asan) {
        rlimit lim{2048ul << 20, 2048ul << 20};
        setrlimit(RLIMIT_AS, &lim);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
        _exit(3);
    }
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A copy of exactly the input's size, as libFuzzer does, so reads past
    // the end are caught by the sanitizers.
    auto* data = new std::uint8_t[bytes.size() ? bytes.size() : 1];
    std::copy(bytes.begin(), bytes.end(), data);
    LLVMFuzzerTestOneInput(data, bytes.size());
    delete[] data;
    std::fflush(nullptr);
    _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
    bool verbose = false;
    unsigned timeout = 10;
    std::vector<std::string> inputs;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-v") {
            verbose = true;
            continue;
        }
        if (arg.rfind("-timeout=", 0) == 0) {
            timeout = unsigned(std::strtoul(arg.c_str() + 9, nullptr, 10));
            continue;
        }
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            std::vector<std::string> found;
            for (const auto& e : fs::directory_iterator(arg, ec))
                if (e.is_regular_file(ec)) found.push_back(e.path().string());
            std::sort(found.begin(), found.end());
            inputs.insert(inputs.end(), found.begin(), found.end());
        } else if (fs::is_regular_file(arg, ec)) {
            inputs.push_back(arg);
        } else {
            std::fprintf(stderr, "replay: no such file or directory: %s\n", arg.c_str());
            return 2;
        }
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "usage: %s [-v] [-timeout=SECONDS] DIR|FILE... (found no inputs)\n", argv[0]);
        return 2;
    }

    std::vector<std::string> crashed;
    for (const auto& path : inputs) {
        if (verbose) std::fprintf(stderr, "replay: %s\n", path.c_str());
        std::fflush(nullptr);
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("replay: fork");
            return 2;
        }
        if (pid == 0) run_child(path, timeout);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            std::fprintf(stderr, "replay: TIMEOUT (still running after %u s) on %s\n", timeout, path.c_str());
        else if (WIFSIGNALED(status))
            std::fprintf(stderr, "replay: CRASH (signal %d, %s) on %s\n", WTERMSIG(status),
                         strsignal(WTERMSIG(status)), path.c_str());
        else
            std::fprintf(stderr, "replay: CRASH (exit status %d) on %s\n", WEXITSTATUS(status), path.c_str());
        crashed.push_back(path);
    }
    std::printf("replay: %zu inputs, %zu crashed\n", inputs.size(), crashed.size());
    return crashed.empty() ? 0 : 1;
}
