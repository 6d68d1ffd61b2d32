// DOC: peer_learning — taking in what a datagram says of its sender.
//
// Every admitted datagram tells who sent it: its incarnation (a new one:
// the peer restarted, and with keys a path not up waits for an answer of
// the new one, fresh), its interval, its addresses (the first
// max_peer_addresses of them). A round INQ also tells that the peer is a
// requestor, and whether it uses mutual rounds: a peer that turns to them
// answers our INQs with its own, so no ACK is awaited any more, and its
// next INQ on every path is due in 1.5 of its intervals.
//
// What the addresses claim decides the peer's paths: one for every
// LAN-family on which it claims an address inside our prefixes (so a LAN
// already dead when we meet it is watched too), and a down path on a
// LAN-family where it claims none is forgotten, with its next hop (not the
// path the datagram came in on).
//
// Pure: time passed in; the engine makes the paths and the effects.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/peer_table.hpp"
#include "faild/core/wire.hpp"

#include <cstddef>
#include <vector>

namespace faild::peer_learning {

/// Most addresses a peer may advertise that we keep (the wire allows 32).
inline constexpr std::size_t max_peer_addresses = wire::max_addresses;

/// What learn() found changed.
struct learned {
    bool restarted = false;          ///< a new incarnation of a peer we knew (not its first)
    bool addresses_changed = false;  ///< the set of destinations changed
};

/// Takes in at `now` what `m` says of `p`: incarnation, interval, last
/// seen, addresses. A new incarnation makes the paths that are not up
/// wait for fresh evidence.
learned learn(peer& p, const wire::message& m, timestamp now);

/// A round INQ `m` of `p`'s at `now`: it is a requestor, mutual or not
/// (`mutual_on`: we are a requestor with mutual rounds on). When it turns
/// mutual, the ACK awaited on each path is no longer (a retry stays), and
/// its next INQ is due in 1.5 intervals (`interval`: the peer's).
/// Returns whether it turned mutual.
bool learn_rounds(peer& p, const wire::message& m, bool mutual_on, duration interval, timestamp now);

/// The LAN-families (of `lans`) on which `p` claims an address inside our
/// prefixes, in order: each should have a path.
std::vector<path_key> claimed_paths(const peer& p, const std::vector<lan>& lans);

/// Whether `p` claims an address of `k`'s family inside `k`'s LAN's prefixes.
bool claims(const peer& p, path_key k, const std::vector<lan>& lans);

/// The paths of `p` to forget: down, on a LAN-family where it claims no
/// address, and not `heard` (the path its datagram came in on).
std::vector<path_key> unclaimed_paths(const peer& p, const std::vector<lan>& lans, path_key heard);

}  // namespace faild::peer_learning
