#include "faild/daemon/sd_notify.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace faild::sd {

namespace {

std::optional<unsigned long long> parse_number(const char* s) {
    if (!s || !*s) return std::nullopt;
    unsigned long long v = 0;
    for (const char* p = s; *p; ++p) {
        if (*p < '0' || *p > '9' || v > (~0ull - 9) / 10) return std::nullopt;
        v = v * 10 + unsigned(*p - '0');
    }
    return v;
}

}  // namespace

notify_env parse_env(const char* notify_socket, const char* watchdog_usec, const char* watchdog_pid, pid_t pid) {
    notify_env env;
    if (notify_socket) env.socket = notify_socket;
    auto usec = parse_number(watchdog_usec);
    if (!usec || *usec == 0) return env;
    if (watchdog_pid) {  // set: only for that process (not, say, a child that inherited it)
        auto for_pid = parse_number(watchdog_pid);
        if (!for_pid || *for_pid != static_cast<unsigned long long>(pid)) return env;
    }
    env.watchdog = duration(static_cast<long long>(*usec));
    return env;
}

bool to_sockaddr(const std::string& address, sockaddr_un& sa, socklen_t& len) {
    std::memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (address.size() < 2 || (address[0] != '/' && address[0] != '@') || address.size() > sizeof sa.sun_path ||
        address.find('\0') != std::string::npos)
        return false;
    std::memcpy(sa.sun_path, address.data(), address.size());
    if (address[0] == '@') {
        sa.sun_path[0] = '\0';  // abstract: no terminating NUL, the length says where it ends
        len = socklen_t(offsetof(sockaddr_un, sun_path) + address.size());
    } else {
        if (address.size() == sizeof sa.sun_path) return false;  // no room for the NUL
        len = socklen_t(offsetof(sockaddr_un, sun_path) + address.size() + 1);
    }
    return true;
}

notifier::notifier(notify_env env) : address_(std::move(env.socket)), watchdog_(env.watchdog) {
    if (address_.empty()) watchdog_.reset();
}

notifier notifier::from_environment() {
    notifier n(parse_env(std::getenv("NOTIFY_SOCKET"), std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"),
                         ::getpid()));
    for (const char* v : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) ::unsetenv(v);
    return n;
}

notifier::~notifier() {
    if (fd_ >= 0) ::close(fd_);
}

notifier::notifier(notifier&& other) noexcept
    : address_(std::move(other.address_)), watchdog_(other.watchdog_), fd_(std::exchange(other.fd_, -1)) {}

notifier& notifier::operator=(notifier&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        address_ = std::move(other.address_);
        watchdog_ = other.watchdog_;
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

bool notifier::send(const std::string& state) {
    if (address_.empty()) return false;
    sockaddr_un sa{};
    socklen_t len = 0;
    if (!to_sockaddr(address_, sa, len)) return false;
    if (fd_ < 0) fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) return false;
    ssize_t n;
    do {
        n = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&sa), len);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(state.size());
}

}  // namespace faild::sd
