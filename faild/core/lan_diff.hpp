// DOC: lan_diff — which interfaces are faild's LANs, and what a fresh read
// of the links changes for them. Pure: the daemon reads the links
// (link_watch), hands them here, and applies the answer (logs, sockets,
// claims, the engine's new LAN list).
//
// At start, select_interfaces() picks the LANs: the -i list in its order,
// or every eligible interface in ifindex order. Later, diff_lans() compares
// each monitored LAN with its interface as now read (by name): gone, back
// (also under a new ifindex: its sockets are bound to a device that is no
// more), carrier, addresses; then which LANs added while running may go
// (from the end only, so the others keep their place and preference), and
// which eligible interfaces are new (only without an -i list).
#pragma once

#include "faild/core/interface_info.hpp"
#include "faild/core/peer_table.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace faild {

/// Monitored by default: up, not loopback, with an IPv4 or global IPv6
/// address (tentative ones count: DAD may still run at boot).
bool eligible(const interface_info& i);

/// The LANs to monitor, in preference order: the interfaces named in
/// `wanted` (the -i list), in its order, or, when it is empty, every
/// eligible one in ifindex order. Empty, with `error`, when a named one is
/// missing or a loopback, or no interface is eligible.
std::vector<interface_info> select_interfaces(const std::vector<std::string>& wanted,
                                              const std::vector<interface_info>& all, std::string& error);

/// The core's view of an interface: only usable addresses (never tentative
/// or dadfailed), IPv4 and global/ULA IPv6, plus the first usable IPv6
/// link-local address (the source of IPv6 probes).
lan to_lan(const interface_info& i);

/// Whether two records of a LAN differ in anything the engine reads.
bool same_lan(const lan& a, const lan& b);

/// A LAN's addresses for the log: "192.0.2.1/24,fe80::1", or "none".
std::string address_list(const lan& l);

/// How the set of LANs may change while faild runs.
struct lan_rules {
    bool fixed = false;            ///< an -i list: no LAN is added or dropped
    std::size_t startup_lans = 0;  ///< the LANs at start: never dropped
};

/// Whether a peer has a path on the LAN at an index (engine::has_paths_on).
using paths_on_lan = std::function<bool(std::size_t lan)>;

/// One monitored LAN after a fresh read of the links.
struct lan_update {
    lan now;                        ///< the LAN as the engine should know it
    bool present = true;            ///< its interface exists (by name)
    bool gone = false;              ///< it was there at the last read, and is not now
    bool back = false;              ///< it is back, or there under a new ifindex: sockets anew
    bool carrier_changed = false;   ///< present, and its carrier is not what it was (now.carrier)
    bool addresses_changed = false; ///< its usable addresses differ
    bool changed = false;           ///< anything the engine reads differs (same_lan)
};

/// What a fresh read of the links changes.
struct lan_diff {
    std::vector<lan_update> lans;         ///< one per monitored LAN, in order
    std::size_t kept = 0;                 ///< LANs that stay: the rest, at the end, are dropped
    std::vector<interface_info> added;    ///< eligible interfaces not monitored yet, in the order read
};

/// Whether the last of `count` LANs may be dropped: added while running
/// (beyond rules.startup_lans, no -i list), its interface gone
/// (`present[count - 1]` false), no path to any peer on it.
bool droppable(std::size_t count, const std::vector<bool>& present, const lan_rules& rules,
               const paths_on_lan& has_paths_on);

/// Compares `lans` (as the engine has them; `present[i]`: LAN i's interface
/// existed at the last read) with `links`, all interfaces as read now.
/// The LANs that `added` names still have to be claimed by the caller.
lan_diff diff_lans(const std::vector<lan>& lans, const std::vector<bool>& present,
                   const std::vector<interface_info>& links, const lan_rules& rules,
                   const paths_on_lan& has_paths_on);

}  // namespace faild
