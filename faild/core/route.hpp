// DOC: route — one host route faild wants in (or found in) the kernel table.
//
// faild only ever installs host routes (/32, /128) to a peer's address on a
// dead LAN, via the peer's address on a live LAN. A route is identified by its
// destination: there is at most one faild route per destination.
#pragma once

#include "faild/core/ip_address.hpp"

#include <map>
#include <string>

namespace faild {

/// The route protocol number that tags faild's routes in the kernel
/// (`ip route ... proto 250`, named "faild" by conf/rt_protos.d/faild.conf).
inline constexpr int route_protocol = 250;

struct route {
    ip_address dst;   ///< host route destination (/32 or /128)
    ip_address via;   ///< next hop, on-link of `dev`
    std::string dev;  ///< outgoing interface name
    int ifindex = 0;  ///< outgoing interface index
    ip_address src;   ///< preferred source: our address on the dead LAN
    /// The node id of the peer whose address `dst` is, as the route plan
    /// chose it; empty for a route read back from the kernel. Not part of
    /// the route's identity (operator==).
    std::string peer;

    /// "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1"
    std::string to_string() const;
    /// key=value fields for log lines: "dst=... via=... dev=... src=..."
    std::string to_kv() const;
    /// What makes it unusable, in words a backend can return as its error
    /// (no destination, families mixed, no interface); "" when it is fine.
    std::string problem() const;

    friend bool operator==(const route& a, const route& b) {
        return a.dst == b.dst && a.via == b.via && a.ifindex == b.ifindex && a.src == b.src;
    }
    friend bool operator!=(const route& a, const route& b) { return !(a == b); }
};

/// Routes keyed by destination.
using route_set = std::map<ip_address, route>;

/// Why routes were synced, and so why one was removed: the plan changed
/// (switchback, replanned, peer_gone), an earlier run's or an unwanted
/// route went (stale), faild stops (shutdown), or the repair put the table
/// right (repair). `none` for the changes that need no reason (added,
/// replaced, restored).
enum class sync_reason { none, stale, switchback, replanned, peer_gone, shutdown, repair };
/// The reason's name in log lines and hooks ("" for none).
const char* to_string(sync_reason r);

}  // namespace faild
