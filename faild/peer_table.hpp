// DOC: peer_table — what a node knows of its peers and of its own LANs.
//
// A *lan* is one monitored interface with our usable addresses on it; its
// position in the LAN list is its preference (0 = most preferred). A *peer*
// is another node, known by node id, with the addresses it advertises and
// one *path* per LAN on which we hear it (or on which it advertises an
// address inside our prefixes). Plain data plus lookups; the engine owns the
// protocol logic and the route plan reads it.
#pragma once

#include "faild/clock.hpp"
#include "faild/ip_address.hpp"
#include "faild/path_tracker.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faild {

struct lan {
    std::string name;           ///< interface name
    int ifindex = 0;
    std::vector<prefix> addrs;  ///< our usable addresses on it, with on-link prefix

    /// True when `a` lies inside one of our prefixes on this LAN.
    bool on_link(const ip_address& a) const;
    /// Our first address of family `fam` on this LAN.
    std::optional<ip_address> own_address(family fam) const;
    /// Where INQs go: the directed broadcast of our first IPv4 prefix, or
    /// 255.255.255.255 when the prefix has none (/31, /32).
    std::optional<ip_address> broadcast() const;
};

struct path {
    path_tracker tracker;
    std::optional<ip_address> hop_v4;  ///< peer's IPv4 source address on this LAN
    std::optional<ip_address> hop_v6;  ///< peer's IPv6 source address on this LAN
    timestamp last_heard{-1};          ///< last datagram from the peer on this LAN

    // Requestor rounds: the INQ we wait an ACK for.
    bool awaiting = false;
    std::uint32_t awaited_seq = 0;
    bool last_round_good = false;  ///< the ACK for our last INQ came back

    // Responder rounds: when the peer's next INQ is due at the latest.
    timestamp inq_deadline{0};

    explicit path(path_tracker t) : tracker(t) {}
    const std::optional<ip_address>& hop(family fam) const { return fam == family::v4 ? hop_v4 : hop_v6; }
};

struct peer {
    std::string node_id;
    std::uint32_t incarnation = 0;
    std::uint32_t interval_us = 0;       ///< the peer's advertised probe interval
    std::vector<ip_address> addresses;   ///< the peer's advertised addresses
    std::map<std::size_t, path> paths;   ///< by LAN index
    timestamp last_seen{0};
    timestamp unreachable_since{-1};     ///< every path down since then, -1 if not

    /// Paths in state up.
    bool any_up() const;
};

using peer_map = std::map<std::string, peer>;

}  // namespace faild
