// DOC: route_plan — the pure function from the table of paths to the routes
// faild wants in the kernel.
//
// For every peer address `a` on a LAN whose path (in a's family) is down,
// while another path to that peer in that family is up: route a/32 (or /128)
// via the peer's address on the most preferred live LAN (IPv6: its
// link-local), dev that LAN, src our own address on the dead LAN (or, when
// that is gone with its interface, our address on the live LAN). The dead
// LAN's prefixes count as last seen (lan::seen).
// Trust (PROTOCOL.md, "Trust"): `a` must be an address the peer proved
// (address_book: it answered a probe sent there) and still advertises; with
// keys also one it only claims, unless another node proved it. The next hop
// must be proven by the peer too. Guards, whatever a peer claims: `a` must
// be global/ULA unicast, inside one of our prefixes on the dead LAN, not
// one of our own addresses nor a prefix's network, broadcast or
// subnet-router anycast address; the next hop must be on-link of the live
// LAN; families never mix. No live path: no route.
#pragma once

#include "faild/core/address_book.hpp"
#include "faild/core/peer_table.hpp"
#include "faild/core/route.hpp"

#include <vector>

namespace faild {

/// `lans` in preference order (index = LAN index used in peer paths).
/// `keyed`: datagrams are authenticated, so a claim the peer has not
/// proven may be routed where no other node proved the address.
route_set plan_routes(const std::vector<lan>& lans, const peer_map& peers, const address_book& proofs, bool keyed);

}  // namespace faild
