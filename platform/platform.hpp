// DOC: platform — the narrow door between faild's core and the OS.
//
// Every backend (linux/: libnl-route-3 and sockets; fake/: in-memory, for
// tests only) supplies these interfaces. The core asks about what a backend
// can do, never which OS it runs on. CMake picks the backend folder. A dry
// run (--dry-run) writes to the null route table (null/), which keeps the
// state and changes nothing: make_route_table() chooses.
#pragma once

#include "faild/core/arrival_clock.hpp"
#include "faild/core/clock.hpp"
#include "faild/core/interface_info.hpp"
#include "faild/core/ip_address.hpp"
#include "faild/core/memory_lock.hpp"
#include "faild/core/route.hpp"
#include "faild/core/route_table.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faild::platform {

/// An interface and its addresses: plain data the core reads too
/// (faild/core/interface_info.hpp).
using faild::interface_address;
using faild::interface_info;

/// The route table's interface and its results belong to the core
/// (faild/core/route_table.hpp): the core calls it, the backends implement it.
using faild::op_result;
using faild::route_change;
using faild::route_table;

/// Whose routes a route_table sees: those of one routing table with one
/// protocol tag (faild's own: main and 250 unless configured otherwise).
struct route_owner {
    std::uint32_t table = 254;  ///< RT_TABLE_MAIN
    int protocol = faild::route_protocol;
};

/// Interfaces and their addresses.
class link_source {
public:
    virtual ~link_source() = default;
    /// All interfaces with their addresses; `error` set on failure.
    virtual std::vector<interface_info> list(std::string& error) = 0;
};

/// A received datagram.
struct datagram {
    ip_address from;
    std::uint16_t from_port = 0;
    std::size_t size = 0;
    int ttl = -1;  ///< TTL / hop limit it arrived with, -1 if unknown
    /// When the kernel queued it, on the wall clock (SO_TIMESTAMPNS);
    /// nullopt when it gave no stamp (arrival_clock turns it into the
    /// core's time).
    std::optional<wall_stamp> arrived;
};

/// Bytes at an offset of a datagram's payload.
struct payload_field {
    std::size_t offset = 0;
    std::vector<std::uint8_t> bytes;
};

/// A UDP socket bound to one interface (SO_BINDTODEVICE on Linux) and one
/// address family: every probe and answer for a LAN goes through its own.
class probe_socket {
public:
    virtual ~probe_socket() = default;
    /// File descriptor for the event loop (readable when a datagram waits).
    virtual int fd() const = 0;
    /// Send one datagram; false and `error` set when the kernel refused it.
    virtual bool send_to(const ip_address& dst, std::uint16_t port, const std::uint8_t* data,
                         std::size_t size, std::string& error) = 0;
    /// Non-blocking receive into buf; nullopt when nothing is waiting. A
    /// datagram longer than `cap` is skipped.
    virtual std::optional<datagram> receive(std::uint8_t* buf, std::size_t cap) = 0;
    /// From now on, datagrams whose payload holds every one of `fields` are
    /// dropped before they reach the socket (our own IPv4 broadcasts, which
    /// the kernel loops back: otherwise each one is read, and thrown away,
    /// in every round). False when the socket cannot: they then arrive as
    /// before, and the caller's own checks still drop them.
    virtual bool drop_matching(const std::vector<payload_field>& fields) {
        (void)fields;
        return false;
    }
    /// Non-blocking: hands `fn(const datagram&, const std::uint8_t* data)`
    /// each datagram waiting, at most one batch of `batch_size` read with
    /// one system call; true when the batch was full (more may be waiting),
    /// false when the queue is known to be empty (no second call to find it
    /// out: at ten and more wakeups a second, system calls are faild's CPU).
    /// A datagram longer than the largest valid probe (wire::max_size, the
    /// receive buffer's size) is never handed to `fn`: `oversize(const
    /// datagram&)` gets its sender and real size, so it can be counted.
    static constexpr std::size_t batch_size = 8;
    template <typename Fn, typename Oversize>
    bool receive_batch(Fn&& fn, Oversize&& oversize) {
        batch_view v = read_batch();
        for (std::size_t i = 0; i < v.count; ++i) fn(v.info[i], v.data[i]);
        for (std::size_t i = 0; i < v.oversize_count; ++i) oversize(v.oversize[i]);
        return v.full;
    }
    template <typename Fn>
    bool receive_batch(Fn&& fn) {
        return receive_batch(std::forward<Fn>(fn), [](const datagram&) {});
    }

protected:
    struct batch_view {
        std::size_t count = 0;
        const datagram* info = nullptr;
        const std::uint8_t* const* data = nullptr;
        bool full = false;  ///< the system call filled the batch (some may have been oversize)
        std::size_t oversize_count = 0;
        const datagram* oversize = nullptr;  ///< longer than the buffer: cut, not in `info`
    };
    /// Reads up to batch_size datagrams into storage the socket owns (valid
    /// until the next call).
    virtual batch_view read_batch() = 0;
};

/// What the running process is allowed to do.
struct privileges {
    bool net_admin = false;  ///< CAP_NET_ADMIN: change routes
    bool net_raw = false;    ///< CAP_NET_RAW: bind sockets to devices
    bool sys_nice = false;   ///< CAP_SYS_NICE: real-time scheduling beyond RLIMIT_RTPRIO
    bool ipc_lock = false;   ///< CAP_IPC_LOCK: lock memory beyond RLIMIT_MEMLOCK
};

/// Real-time scheduling for the calling thread: SCHED_RR at `priority`
/// (1-99) with SCHED_RESET_ON_FORK, so children (the notify program) start
/// under the ordinary scheduler. Threads made before keep theirs. False and
/// `error` (why, and what would allow it) when the kernel refuses.
bool set_realtime(int priority, std::string& error);
/// "SCHED_RR 10" or "SCHED_OTHER": the calling thread's policy, as read back.
std::string scheduling_text();
/// What plan_memory_lock() decides on: mapped memory, RLIMIT_MEMLOCK,
/// CAP_IPC_LOCK.
memory_facts memory_lock_facts();
/// mlockall(MCL_CURRENT | MCL_FUTURE, with MCL_ONFAULT where the kernel has
/// it); false and `error` when refused.
bool lock_memory(std::string& error);

/// Tells when links or addresses may have changed. The daemon then reads
/// the whole picture again through link_source (so a lost notification, or
/// a socket overflow, costs nothing but one more dump).
class link_monitor {
public:
    virtual ~link_monitor() = default;
    /// File descriptor for the event loop (readable when notifications wait).
    virtual int fd() const = 0;
    /// Reads every pending notification without blocking. True when any
    /// link or address changed, or notifications were lost (overflow).
    virtual bool drain() = 0;
};

/// The probe loop's alarm clock: a descriptor the event loop waits on like
/// a socket, readable once the steady clock (the clock of faild::timestamp)
/// reaches the time it is armed for, and until it is armed again. Arming
/// is one system call and needs no pending wait to be cancelled, so the
/// loop can move its next wakeup as often as the core moves it.
class wakeup_timer {
public:
    virtual ~wakeup_timer() = default;
    virtual int fd() const = 0;
    /// Arms for the absolute time `at` (a time already past makes the
    /// descriptor readable at once); timestamp::max() disarms. Either way
    /// an earlier expiry no longer shows. False (and `error`) on failure.
    virtual bool arm(timestamp at, std::string& error) = 0;
};

/// What faild's route table is made for.
struct route_table_config {
    route_owner owner;     ///< whose routes: faild's table and tag
    bool dry_run = false;  ///< change nothing: the null table (null/), which reports each change instead
    /// A dry run's reporter: one key=value line per change,
    /// "op=add dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1".
    std::function<void(const std::string& line)> report;
};
/// The route table faild writes to: the null table for a dry run, else
/// the kernel's (make_kernel_route_table). nullptr and `error` on failure.
std::unique_ptr<route_table> make_route_table(std::string& error, const route_table_config& config);

/// The backend's factory functions (implemented once per backend folder).
/// The kernel's routing table, as `owner` sees it.
std::unique_ptr<route_table> make_kernel_route_table(std::string& error, const route_owner& owner = {});
std::unique_ptr<link_source> make_link_source(std::string& error);
/// Subscribed to link, IPv4 and IPv6 address changes; nullptr and `error`
/// on failure.
std::unique_ptr<link_monitor> make_link_monitor(std::string& error);
/// Opens the probe socket for `ifname`, bound to `port` (broadcast enabled,
/// TTL / hop limit 255, arrival TTL and arrival time reported). For IPv6 it also joins the
/// link-local multicast `group` on that interface and sends multicast out of
/// it. nullptr and `error` on failure.
std::unique_ptr<probe_socket> open_probe_socket(const std::string& ifname, family fam,
                                                std::uint16_t port, std::string& error,
                                                const ip_address* group = nullptr);
/// Opens a disarmed wakeup_timer; nullptr and `error` on failure.
std::unique_ptr<wakeup_timer> open_wakeup_timer(std::string& error);
privileges current_privileges();
/// Effective reverse-path filter mode of an interface (max of `all` and the
/// interface's own), -1 if unknown.
int rp_filter_mode(const std::string& ifname);
/// The control socket's default path: /run/faild/control in the machine's
/// own network namespace, suffixed with the namespace's id in any other.
std::string default_control_socket();

/// Where a faild instance holds its claims: /run/faild/locks.
std::string default_lock_dir();
/// One instance's claim on an interface in a routing table, held while it
/// lives (the kernel drops it with the process, also on a crash); its file
/// is removed when it is let go.
class interface_lock {
public:
    virtual ~interface_lock() = default;
};
/// Claims `ifname` in routing table `table` for this process: the kernel's
/// key of a route has no protocol, so two instances whose interfaces
/// overlap in one table would fight over the same destinations. `holder`
/// (our pid and control socket) is left for the next one to read. In the
/// machine's own network namespace the claim is on the name; in any other
/// it is suffixed with the namespace's id, like the control socket.
/// nullptr and `error` when another process holds it (the error names what
/// it left: its pid and control socket) or the claim cannot be made.
std::unique_ptr<interface_lock> lock_interface(const std::string& dir, std::uint32_t table,
                                               const std::string& ifname, const std::string& holder,
                                               std::string& error);
/// Sets the interface's own rp_filter to `value` (faild uses 2, loose).
bool set_rp_filter(const std::string& ifname, int value, std::string& error);

}  // namespace faild::platform
