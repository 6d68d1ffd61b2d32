// DOC: wire — the faild probe protocol, version 2 (see faild/doc/PROTOCOL.md).
//
// encode() turns a message into a datagram; decode() checks every field and
// length before trusting it and says exactly why a datagram was rejected.
// With keys, a version-2 MAC also covers a pseudo-header that is not sent:
// the address family and the LAN's prefix (lan_binding), so a datagram
// relayed into another family or onto another LAN does not verify.
// Version 1 (no binding, no target) is still decoded; whether it is
// accepted is the caller's policy. Pure functions on bytes: no sockets, no
// clocks.
#pragma once

#include "faild/core/ip_address.hpp"
#include "faild/core/keyring.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace faild::wire {

inline constexpr std::uint8_t version = 2;
/// The version before: no LAN binding in the MAC, no target. Spoken only
/// for a rolling upgrade from a faild that knows no other.
inline constexpr std::uint8_t version_1 = 1;
inline constexpr std::uint8_t magic0 = 'F', magic1 = 'D';
inline constexpr std::size_t header_size = 20;
inline constexpr std::size_t max_node_id = 32;
inline constexpr std::size_t max_addresses = 32;
inline constexpr std::size_t max_heard = 64;
inline constexpr std::uint32_t min_interval_us = 1'000;           // 1 ms
inline constexpr std::uint32_t max_interval_us = 3'600'000'000u;  // 1 h
/// INQ sequence numbers: retry and confirmation probes have the top bit
/// set; a round's never does (1 .. max_round_seq).
inline constexpr std::uint32_t probe_seq_bit = 0x80000000u;
inline constexpr std::uint32_t max_round_seq = probe_seq_bit - 1;
/// Largest datagram a valid message can produce (a target included).
inline constexpr std::size_t max_size =
    header_size + max_node_id + max_addresses * 17 + max_heard * (1 + max_node_id) + 17 + mac_size;

/// faild's link-local multicast group: IPv6 INQs and BYEs go there.
ip_address v6_group();

/// NOTICE: "my path to you on the LAN of these addresses is down" (sent
/// over a live path; see PROTOCOL.md for what a receiver may do with it).
enum class type : std::uint8_t { inq = 1, ack = 2, bye = 3, notice = 4 };

/// Flag bits.
inline constexpr std::uint8_t flag_heard_truncated = 0x01;  ///< INQ: more peers heard than listed
inline constexpr std::uint8_t flag_probe_only = 0x02;       ///< INQ: answer it, but it is no round
inline constexpr std::uint8_t flag_authenticated = 0x04;    ///< an HMAC-SHA256 trailer follows
/// INQ from a requestor: "between two requestors that both set this, round
/// INQs are not ACKed (unless flag_ack_wanted); each judges the path by the
/// other's INQs and their heard lists" (mutual rounds, PROTOCOL.md).
inline constexpr std::uint8_t flag_mutual = 0x08;
inline constexpr std::uint8_t flag_ack_wanted = 0x10;  ///< INQ: ACK it even on a mutual path (RTT samples)
/// Probe-only INQ (version 2): one address follows the heard list, the one
/// the probe was sent to. A receiver that does not hold it on the LAN the
/// probe came in on drops it, so a probe relayed to another host is never
/// answered: what an answer proves is that its sender holds the target.
inline constexpr std::uint8_t flag_target = 0x20;

struct message {
    type kind = type::inq;
    std::string node_id;
    std::uint32_t incarnation = 0;
    std::uint32_t seq = 0;
    std::uint32_t interval_us = 0;       ///< sender's probe interval
    std::vector<ip_address> addresses;   ///< sender's addresses on all its LANs
    std::vector<std::string> heard;      ///< node ids the sender hears on this LAN (INQ)
    std::uint8_t flags = 0;              ///< flag_* bits; unknown ones are ignored
    std::uint8_t version = wire::version;  ///< 2, or version_1 (a rolling upgrade)
    std::optional<ip_address> target;    ///< probe-only INQ: where it was sent (flag_target; version 2)
};

/// What a version-2 MAC binds besides the bytes: the family the datagram
/// travels in and the LAN's prefix (its network address and length; IPv6
/// on a LAN without a global prefix: fe80::/64). Both ends derive it from
/// their own addresses on the LAN, so they must share its prefix.
struct lan_binding {
    family fam = family::v4;
    prefix lan;
};
/// The pseudo-header a version-2 MAC covers before the datagram.
std::vector<std::uint8_t> pseudo_header(const lan_binding& b);

enum class error {
    too_short,
    bad_magic,
    bad_version,
    bad_type,
    bad_node_id,
    bad_interval,
    too_many_addresses,
    too_many_heard,
    bad_address,
    bad_heard,
    truncated,
    trailing_bytes,
    unauthenticated,  ///< we have keys; the datagram carries no MAC
    bad_mac,          ///< the MAC matches none of our keys
    unverifiable,     ///< it carries a MAC and we have no key
    bad_target,       ///< flag_target with a malformed address
};
inline constexpr std::size_t error_count = std::size_t(error::bad_target) + 1;
const char* to_string(error e);

/// True for 1..32 bytes of [A-Za-z0-9._:-].
bool valid_node_id(const std::string& id);

/// Encodes a message whose fields are valid (checked by the caller: node id
/// valid, lists within their limits, interval within bounds), in
/// m.version; a target only in version 2.
std::vector<std::uint8_t> encode(const message& m);
/// The same, authenticated: flag set and HMAC-SHA256 (first key) appended,
/// over the pseudo-header of `lan` (version 2) and everything before it.
/// An empty keyring encodes plainly.
std::vector<std::uint8_t> encode(const message& m, const keyring& keys, const lan_binding& lan);

/// Versions 1 and 2; the message says which.
std::variant<message, error> decode(const std::uint8_t* data, std::size_t size);

/// The bytes, by offset, that every datagram from `node_id` with
/// `incarnation` carries (magic, node id length, incarnation, node id) and
/// no other sender's does: how a socket filter tells our own looped-back
/// broadcasts from the rest. A node id collision (another incarnation) does
/// not match, so it still reaches the core and is logged.
std::vector<std::pair<std::size_t, std::vector<std::uint8_t>>> identity_fields(const std::string& node_id,
                                                                               std::uint32_t incarnation);
/// With keys, only datagrams whose MAC verifies under one of them decode
/// (version 2: under the pseudo-header of one of `lans`, the bindings the
/// LAN it arrived on may have); without, only unauthenticated ones.
std::variant<message, error> decode(const std::uint8_t* data, std::size_t size, const keyring& keys,
                                    const std::vector<lan_binding>& lans);

}  // namespace faild::wire
