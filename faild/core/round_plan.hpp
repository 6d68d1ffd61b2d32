// DOC: round_plan — who gets a round's INQ, and what it asks.
//
// Each interval a requestor sends one round INQ per LAN-family. The plan
// for it is a pure function of the round's number and of what we know of
// each peer's path there (in peer order):
//
//   - ACK wanted (mutual peers only: the others always answer): every
//     ack_every-th round, the first included (RTT samples); every round
//     while a mutual path that is up has no RTT yet; and, after its first
//     sample, the rtt_burst - 1 rounds that follow (each path's burst
//     counts down by one per round while it is up with an RTT).
//   - Answer awaited: from every peer, except mutual ones outside the ACK
//     rounds (their own INQs are their answers).
//   - Heard list: the peers the caller says it heard (a responder whose
//     ACK came back, a mutual peer whose INQ is recent), at most
//     wire::max_heard; more and the INQ says it is cut short.
//   - Where it goes: by unicast to each peer's next hop, when there are at
//     most max_unicast_peers peers, all with a next hop; else, and every
//     broadcast_every-th round, in the ACK rounds of ack_every and while an
//     RTT is missing, to the LAN (broadcast, multicast), so nodes that send
//     no INQs of their own are found.
//   - Warm-up probes: a probe-only copy by unicast to the advertised
//     addresses of peers whose path here is down (and was up once), at
//     most warmups_per_peer each, warmups_per_round in all.
//   - Control probes (not a round's): beside a fast-confirmation retry,
//     one probe-only INQ to the same peer on another path that is up: on
//     another LAN before the retry's own (a LAN fails as a whole), the
//     same family first.
//
// These numbers live here and only here.
#pragma once

#include "faild/core/ip_address.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faild::round_plan {

/// Up to this many peers on a LAN, round INQs go to each by unicast.
inline constexpr std::size_t max_unicast_peers = 4;
/// Every this many rounds (the first one included) the round INQ is a
/// broadcast, so nodes that send no INQs of their own are found.
inline constexpr std::uint32_t broadcast_every = 16;
/// Every this many rounds (the first one included) a mutual round INQ wants
/// an ACK: RTT samples for the retry timeout. A multiple of broadcast_every.
/// On a LAN the timeout's floor (at least t / 10) is far above the RTT, so
/// a sample every 64 rounds is plenty; each one costs every mutual peer a
/// datagram, and usually a wakeup.
inline constexpr std::uint32_t ack_every = 64;
static_assert(ack_every % broadcast_every == 0);
/// A mutual path's first RTT sample comes as the path comes up, while hosts
/// are busy starting; one slow sample then set the notice confirmation's
/// wait (4 x srtt) for 64 rounds. So the rounds after it ask for ACKs too,
/// this many in all (lost or retried ones give no sample); they go by
/// unicast like any other. Later samples come only every 64th round.
inline constexpr std::uint8_t rtt_burst = 8;
/// Warm-up probes (to down paths) at most per peer, and per round in all.
inline constexpr std::size_t warmups_per_peer = 4;
inline constexpr std::size_t warmups_per_round = 16;

/// One peer's path on the round's LAN-family, as the ACK decision sees it.
struct rtt_need {
    bool mutual = false;   ///< mutual rounds with this peer
    bool up = false;       ///< the path is up
    bool measured = false; ///< it has an RTT
    unsigned burst_left = 0;
};

struct ack_decision {
    bool wanted = false;      ///< the INQ carries flag_ack_wanted (mutual peers answer it)
    bool unmeasured = false;  ///< an up mutual path has no RTT: the INQ is broadcast
    /// Per peer: this round is one of its burst (its count goes down by one).
    std::vector<bool> burst_taken;
};

/// Round `round` (0 for the first of this incarnation): does it want ACKs?
ack_decision decide_acks(std::uint32_t round, const std::vector<rtt_need>& peers);

/// One peer's path on the round's LAN-family, as the send plan sees it.
struct member {
    std::string id;
    bool mutual = false;             ///< mutual rounds with this peer
    bool heard = false;              ///< list it as heard
    std::optional<ip_address> hop;   ///< its next hop here
};

struct plan {
    std::vector<std::string> heard;
    bool heard_truncated = false;
    /// Per peer: an answer to this INQ is awaited.
    std::vector<bool> awaited;
    /// To the LAN (broadcast, multicast); else by unicast to `unicast`.
    bool broadcast = false;
    std::vector<ip_address> unicast;
};

/// The plan for round `round`, with the ACK decision made for it;
/// `unicast_inq` false: always to the LAN.
plan make_plan(std::uint32_t round, const ack_decision& acks, bool unicast_inq, const std::vector<member>& peers);

/// Warm-up probes: `candidates[i]` are peer i's addresses that one could
/// go to (in order); the result, the ones that do, in order.
std::vector<ip_address> choose_warmups(const std::vector<std::vector<ip_address>>& candidates);

/// A path of the peer that could carry a control probe (up, with a next
/// hop and a source to probe from): its LAN index and family.
struct control_candidate {
    std::size_t lan = 0;
    family fam = family::v4;
};

/// The control probe beside a retry on LAN `lan`, family `fam`: the index
/// of the candidate that carries it (first of the best), or nullopt when
/// there is none. The retry's own path is no candidate.
std::optional<std::size_t> choose_control(std::size_t lan, family fam, const std::vector<control_candidate>& candidates);

}  // namespace faild::round_plan
