// DOC: wire — the faild probe protocol, version 1 (see faild/PROTOCOL.md).
//
// encode() turns a message into a datagram; decode() checks every field and
// length before trusting it and says exactly why a datagram was rejected.
// Pure functions on bytes: no sockets, no clocks.
#pragma once

#include "faild/ip_address.hpp"
#include "faild/keyring.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace faild::wire {

inline constexpr std::uint8_t version = 1;
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
/// Largest datagram a valid message can produce.
inline constexpr std::size_t max_size =
    header_size + max_node_id + max_addresses * 17 + max_heard * (1 + max_node_id) + mac_size;

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

struct message {
    type kind = type::inq;
    std::string node_id;
    std::uint32_t incarnation = 0;
    std::uint32_t seq = 0;
    std::uint32_t interval_us = 0;       ///< sender's probe interval
    std::vector<ip_address> addresses;   ///< sender's addresses on all its LANs
    std::vector<std::string> heard;      ///< node ids the sender hears on this LAN (INQ)
    std::uint8_t flags = 0;              ///< flag_* bits; unknown ones are ignored
};

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
};
const char* to_string(error e);

/// True for 1..32 bytes of [A-Za-z0-9._:-].
bool valid_node_id(const std::string& id);

/// Encodes a message whose fields are valid (checked by the caller: node id
/// valid, lists within their limits, interval within bounds).
std::vector<std::uint8_t> encode(const message& m);
/// The same, authenticated: flag set and HMAC-SHA256 (first key) appended
/// over everything before it. An empty keyring encodes plainly.
std::vector<std::uint8_t> encode(const message& m, const keyring& keys);

std::variant<message, error> decode(const std::uint8_t* data, std::size_t size);

/// The bytes, by offset, that every datagram from `node_id` with
/// `incarnation` carries (magic, node id length, incarnation, node id) and
/// no other sender's does: how a socket filter tells our own looped-back
/// broadcasts from the rest. A node id collision (another incarnation) does
/// not match, so it still reaches the core and is logged.
std::vector<std::pair<std::size_t, std::vector<std::uint8_t>>> identity_fields(const std::string& node_id,
                                                                               std::uint32_t incarnation);
/// With keys, only datagrams whose MAC verifies under one of them decode;
/// without, only unauthenticated ones.
std::variant<message, error> decode(const std::uint8_t* data, std::size_t size, const keyring& keys);

}  // namespace faild::wire
