// DOC: admission — whether a datagram is let in, before it is evidence.
//
// A flat list of checks, in order, each ending in accept or drop(reason)
// (in the manner of BIRD's bfd_rx_hook):
//
//   datagram  (check_datagram, knows only the LAN it came in on)
//     1. TTL / hop limit below 255               drop low_ttl (only on-link
//                                                senders can make 255)
//     2. decodes, MAC verifies (with keys: over  drop <wire error>
//        the LAN's bindings in its family)
//     3. wire version 1 with keys, not allowed   drop old_version
//     4. our own node id: our incarnation (or    drop own (counted only)
//        the one before), else                   drop id_collision
//     5. source not on-link on this LAN          drop off_link
//     6. a probe naming a target we do not hold  drop wrong_target
//                                                (relayed: an answer would
//                                                prove nothing)
//   sender    (check_sender, after BYE and NOTICE went their own ways)
//     7. unknown node id, with keys, whose       drop replay
//        forgotten incarnation is not older
//     8. known node id, with keys, an older      drop replay
//        incarnation
//   round INQ (check_round_inq, on the path it came in on)
//     9. with keys, a round INQ of the path's    drop replay
//        incarnation with a sequence number
//        not above the last one seen there
//
// A node id we do not know yet must also get a place in the peer table
// (peer_upkeep: ids per source, table full): that check has effects of its
// own and lives there. Pure: no clock, no state of its own.
#pragma once

#include "faild/core/peer_table.hpp"
#include "faild/core/sequence_space.hpp"
#include "faild/core/wire.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace faild::admission {

enum class reason : std::uint8_t {
    wire,          ///< did not decode (see drop::err)
    low_ttl,
    old_version,
    own,
    id_collision,
    off_link,
    wrong_target,
    replay,
};

struct drop {
    reason why = reason::wire;
    wire::error err = wire::error::too_short;  ///< for reason::wire
};
/// The reason as the drop log names it ("low_ttl", "bad_mac", ...).
const char* to_string(const drop& d);

/// What check_datagram needs to know of us.
struct settings {
    const std::string& node_id;
    const keyring& keys;
    bool wire_v1 = false;  ///< version 1 allowed with keys
    const sequence_space& seq;
};

/// Checks 1 to 6 for a datagram that came in on LAN `l` from `from` with
/// TTL `ttl` (-1: unknown).
std::variant<wire::message, drop> check_datagram(const lan& l, const ip_address& from, const std::uint8_t* data,
                                                 std::size_t size, int ttl, const settings& s);

/// Checks 7 and 8: `known` the peer as we know it (nullptr: unknown),
/// `forgotten` the incarnation remembered of a forgotten one.
std::optional<drop> check_sender(const wire::message& m, const peer* known, std::optional<std::uint32_t> forgotten,
                                 bool keyed);

/// Check 9, for a round INQ (not probe-only) on path `pa`; `new_peer`:
/// the peer was met with this datagram.
std::optional<drop> check_round_inq(const wire::message& m, const path& pa, bool new_peer, bool keyed);

}  // namespace faild::admission
