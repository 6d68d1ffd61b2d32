// DOC: sd_notify — tells systemd how faild is doing (sd_notify(3)'s
// datagram protocol, written here: it is small and stable, and faild needs
// no libsystemd for it).
//
//   NOTIFY_SOCKET=/run/systemd/notify  or  @abstract-name
//   faild ──"READY=1\nSTATUS=..."──> AF_UNIX datagram ──> systemd
//
// READY=1 once the LANs are open and the first reconcile is done (the unit
// is Type=notify); STATUS= as the peers and paths change; WATCHDOG=1 from
// the probe loop while WATCHDOG_USEC (and WATCHDOG_PID, if set, is ours)
// asks for it; STOPPING=1 at a clean stop. Without NOTIFY_SOCKET (no
// systemd, or the init script) nothing is sent. The variables are removed
// from the environment once read, so the notify program does not inherit
// them.
#pragma once

#include "faild/core/clock.hpp"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <optional>
#include <string>

namespace faild::sd {

/// What the environment asks for.
struct notify_env {
    std::string socket;                ///< empty: nothing to tell
    std::optional<duration> watchdog;  ///< WATCHDOG_USEC, when meant for `pid`
};

/// Reads the three variables' values (nullptr: unset) for process `pid`.
notify_env parse_env(const char* notify_socket, const char* watchdog_usec, const char* watchdog_pid, pid_t pid);

/// The socket address of NOTIFY_SOCKET's value: an absolute path, or
/// '@name' for an abstract name. False when it is neither or too long.
bool to_sockaddr(const std::string& address, sockaddr_un& sa, socklen_t& len);

class notifier {
public:
    /// Disabled.
    notifier() = default;
    explicit notifier(notify_env env);
    /// From NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID, which it then unsets.
    static notifier from_environment();
    ~notifier();
    notifier(notifier&& other) noexcept;
    notifier& operator=(notifier&& other) noexcept;
    notifier(const notifier&) = delete;
    notifier& operator=(const notifier&) = delete;

    bool enabled() const { return !address_.empty(); }
    /// Sends `state` ("READY=1\nSTATUS=..."); false when disabled or it failed.
    bool send(const std::string& state);
    /// How often systemd wants WATCHDOG=1 at the latest; nullopt: not at all.
    std::optional<duration> watchdog() const { return watchdog_; }

private:
    std::string address_;
    std::optional<duration> watchdog_;
    int fd_ = -1;
};

}  // namespace faild::sd
