// DOC: log_test — the log never holds up the probe loop: a file whose
// writes block (a FIFO nobody reads, standing in for a disk stalled by
// sync()) does not stall logging::write(); what does not fit the queue is
// dropped, counted and said later (event=log_dropped); what is queued is
// written, in order, when the file takes writes again and at shutdown.
#include "faild/daemon/log.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

using namespace faild;

namespace {

/// Polls `cond` every millisecond for at most `limit`.
template <typename Cond>
bool within(std::chrono::milliseconds limit, Cond cond) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

/// Everything readable on `fd` until `stop` is set and nothing more comes.
std::string read_all(int fd, const std::atomic<bool>& stop) {
    std::string got;
    char buf[65536];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, 50);
        if (r > 0) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n > 0) {
                got.append(buf, std::size_t(n));
                continue;
            }
        }
        if (stop.load()) return got;
    }
}

}  // namespace

TEST_CASE("log: a file that blocks never holds up write(), the overflow is dropped, counted and said") {
    char dir_template[] = "/tmp/faild-log-test.XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    const std::string path = std::string(dir_template) + "/faild.log";
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    // We hold the FIFO's reading end open and read nothing yet: writes to
    // it block once the pipe (64 KiB) is full, as a stalled disk would.
    const int fifo = ::open(path.c_str(), O_RDWR | O_NONBLOCK);
    REQUIRE(fifo >= 0);
    std::string error;
    REQUIRE_MESSAGE(logging::init(path, error), error);

    constexpr int lines = 20'000;  // about 1.5 MB of lines: far more than the pipe holds
    std::atomic<bool> written{false};
    std::thread loop([&] {
        for (int i = 0; i < lines; ++i) logging::write(event("test", severity::info, "line").kv("n", i));
        written = true;
    });
    const bool in_time = within(std::chrono::milliseconds(5000), [&] { return written.load(); });
    CHECK_MESSAGE(in_time, "write() waited for a file that takes no writes");

    // The file takes writes again: everything queued, and what follows, arrives.
    std::atomic<bool> stop{false};
    std::string got;
    std::thread reader([&] { got = read_all(fifo, stop); });
    loop.join();
    const std::uint64_t dropped = logging::dropped();
    CHECK(dropped > 0);
    logging::flush();  // the queue has room again
    logging::write(event("test", severity::info, "last"));
    logging::shutdown();
    stop = true;
    reader.join();
    ::close(fifo);
    ::unlink(path.c_str());
    ::rmdir(dir_template);

    // Each run of drops is said before the next line that fitted: the
    // counts add up to every drop, the last total is all of them, and the
    // last of these lines comes before the line written after the flush.
    // (While the writer frees a slot now and then, a line fits between
    // runs of drops: there can be more than one such line.)
    const std::string said = "level=warning module=daemon event=log_dropped count=";
    std::uint64_t counted = 0, last_total = 0;
    std::size_t last_said = std::string::npos;
    for (auto at = got.find(said); at != std::string::npos; at = got.find(said, at + 1)) {
        const char* p = got.c_str() + at + said.size();
        char* end = nullptr;
        counted += std::strtoull(p, &end, 10);
        REQUIRE(std::string(end, 7) == " total=");
        last_total = std::strtoull(end + 7, &end, 10);
        CHECK(std::string(end, 19) == " reason=queue_full\n");
        last_said = at;
    }
    REQUIRE(last_said != std::string::npos);
    CHECK(counted == dropped);
    CHECK(last_total == dropped);
    CHECK(last_said < got.find("event=last"));
    // The lines that were queued are whole, in order, as before (time first).
    std::istringstream in(got);
    std::string line;
    int expect = 0, kept = 0;
    while (std::getline(in, line)) {
        CAPTURE(line);
        CHECK(line.rfind("time=", 0) == 0);
        auto at = line.find(" level=info module=test event=line n=");
        if (at == std::string::npos) continue;
        int n = std::atoi(line.c_str() + at + 37);
        CHECK(n >= expect);
        expect = n + 1;
        ++kept;
    }
    CHECK(std::uint64_t(kept) + dropped == std::uint64_t(lines));
}
