// DOC: wakeup_timer (Linux) — a timerfd on CLOCK_MONOTONIC, armed with
// absolute times.
//
// std::chrono::steady_clock is CLOCK_MONOTONIC on Linux, so a timestamp the
// daemon reads from it converts to the timerfd's timespec as it is. Arming
// with timerfd_settime() also resets the expiry count: a descriptor that
// fired reads as not readable again until the new time, so nothing ever
// has to read() it.
#include "platform/platform.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace faild::platform {
namespace {

class timerfd_wakeup_timer final : public wakeup_timer {
public:
    explicit timerfd_wakeup_timer(int fd) : fd_(fd) {}
    ~timerfd_wakeup_timer() override { ::close(fd_); }
    timerfd_wakeup_timer(const timerfd_wakeup_timer&) = delete;
    timerfd_wakeup_timer& operator=(const timerfd_wakeup_timer&) = delete;

    int fd() const override { return fd_; }

    bool arm(timestamp at, std::string& error) override {
        itimerspec spec{};  // it_value zero: disarmed
        if (at != timestamp::max()) {
            // Zero would disarm: a time at or before the clock's origin is
            // simply past, and one nanosecond is too.
            const long long us = at.count() > 0 ? at.count() : 0;
            spec.it_value.tv_sec = time_t(us / 1'000'000);
            spec.it_value.tv_nsec = long(us % 1'000'000) * 1000;
            if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
        }
        if (timerfd_settime(fd_, TFD_TIMER_ABSTIME, &spec, nullptr) == 0) return true;
        error = std::string("timerfd_settime: ") + std::strerror(errno);
        return false;
    }

private:
    int fd_;
};

}  // namespace

std::unique_ptr<wakeup_timer> open_wakeup_timer(std::string& error) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) {
        error = std::string("timerfd_create: ") + std::strerror(errno);
        return nullptr;
    }
    return std::make_unique<timerfd_wakeup_timer>(fd);
}

}  // namespace faild::platform
