// DOC: peer_table — what a node knows of its peers and of its own LANs.
//
// A *lan* is one monitored interface with our usable addresses on it (never
// a tentative or dadfailed one); its position in the LAN list is its
// preference (0 = most preferred). A *peer* is another node, known by node
// id whatever families it speaks, with the addresses it advertises and one
// *path* per (LAN, family) on which we hear it, or on which it advertises an
// address inside our prefixes. IPv4 and IPv6 on one LAN are judged apart:
// either can fail alone (multicast or ND trouble, a filter), and each
// family's routes follow its own paths. Plain data plus lookups; the engine
// owns the protocol logic and the route plan reads it.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/flap_damping.hpp"
#include "faild/core/inq_wait.hpp"
#include "faild/core/ip_address.hpp"
#include "faild/core/loss_window.hpp"
#include "faild/core/path_tracker.hpp"
#include "faild/core/probe_wait.hpp"
#include "faild/core/rtt_estimator.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faild {

const char* to_string(family f);  // "v4", "v6"

struct lan {
    std::string name;                     ///< interface name
    int ifindex = 0;
    std::vector<prefix> addrs;            ///< our usable IPv4 and global/ULA IPv6 addresses, with prefix
    std::optional<ip_address> link_local; ///< our usable IPv6 link-local address (probes use it)
    bool carrier = true;                  ///< the link exists, is up and has carrier
    /// Our IPv6 link-local address is still tentative (DAD running, not
    /// failed): IPv6 probes can leave soon, not yet.
    bool v6_pending = false;
    /// The LAN's prefixes as last seen, by family: kept while its interface
    /// (or its addresses of that family) is gone, so a vanished NIC does not
    /// make the peers' addresses on it unroutable (see remember()).
    std::vector<prefix> seen{};

    /// Takes over what `before` (the same LAN, as the engine last knew it)
    /// had seen of each family it has no address of now.
    void remember(const lan& before);

    /// True when `a` can be a neighbour on this LAN: a unicast address
    /// inside one of our prefixes (not its IPv4 network or broadcast
    /// address), or an IPv6 link-local address.
    bool on_link(const ip_address& a) const;
    /// True when `a` lies inside one of our prefixes on this LAN, now or as
    /// last seen.
    bool in_prefixes(const ip_address& a) const;
    /// Our first routable address of family `fam` on this LAN (a route's src).
    std::optional<ip_address> own_address(family fam) const;
    /// True when `a` is one of our own addresses on this LAN (link-local too).
    bool holds(const ip_address& a) const;
    /// True when `a` is the network or broadcast address of one of our IPv4
    /// prefixes here (prefixes up to /30), or the subnet-router anycast
    /// address of an IPv6 one: never a peer's, never a destination.
    bool is_special(const ip_address& a) const;
    /// The prefix a version-2 MAC binds for family `fam` on this LAN: the
    /// first of that family, or fe80::/64 for IPv6 without one (nullopt:
    /// IPv4 without an address).
    std::optional<prefix> binding(family fam) const;
    /// Every prefix a datagram arriving here in `fam` may be bound to.
    std::vector<prefix> bindings(family fam) const;
    /// Where INQs of family `fam` go: for IPv4 the directed broadcast of our
    /// first prefix (255.255.255.255 for /31, /32), for IPv6 faild's group;
    /// nullopt when we cannot probe in that family (no carrier, or no usable
    /// source address yet).
    std::optional<ip_address> probe_destination(family fam) const;
};

/// A path is one peer on one LAN in one family.
struct path_key {
    std::size_t lan;
    family fam;
    friend bool operator<(const path_key& a, const path_key& b) {
        return a.lan != b.lan ? a.lan < b.lan : a.fam < b.fam;
    }
    friend bool operator==(const path_key& a, const path_key& b) { return a.lan == b.lan && a.fam == b.fam; }
};

/// The sequence numbers of the latest four probes of one kind sent on a
/// path (a ring): an answer to any of them is recognised.
class recent_seqs {
public:
    void note(std::uint32_t seq) {
        const std::size_t i = next_++ % seqs_.size();
        seqs_[i] = seq;
        live_[i] = true;
    }
    bool has(std::uint32_t seq) const { return find(seq) < seqs_.size(); }
    /// Forgets `seq` if it was noted: true once.
    bool take(std::uint32_t seq) {
        const std::size_t i = find(seq);
        if (i == seqs_.size()) return false;
        live_[i] = false;
        return true;
    }
    void clear() { live_ = {}; }

private:
    std::size_t find(std::uint32_t seq) const {
        for (std::size_t i = 0; i < seqs_.size(); ++i)
            if (live_[i] && seqs_[i] == seq) return i;
        return seqs_.size();
    }
    std::array<std::uint32_t, 4> seqs_{};
    std::array<bool, 4> live_{};
    std::size_t next_ = 0;
};

struct path {
    path_tracker tracker;
    std::optional<ip_address> hop;  ///< peer's source address on this LAN (IPv6: link-local)
    timestamp last_heard{-1};       ///< last datagram from the peer on this path
    /// Control probes of ours in flight here (the latest four), each sent
    /// beside a fast-confirmation retry on another path of the peer: an
    /// answer shows the peer alive while that retry waits.
    recent_seqs controls;
    /// A retry's silence here held as the peer's (hold_peer_silence): the
    /// path is retried (retry_due, at held_retry_at: the next tick) as soon
    /// as the peer speaks on another one, and released when it speaks here.
    enum class hold_state : std::uint8_t { none, held, retry_due };
    hold_state hold = hold_state::none;
    timestamp held_retry_at{0};

    // Requestor rounds: the round INQ or retry we wait an ACK for, with its
    // deadline (fast confirmation: the retry timeout; none: the round's end
    // decides), in one state (probe_wait); a retry is a purposeful_probe
    // (confirm_miss) held there. `unanswered` holds the sequence
    // numbers of the probes sent since the last answer (the latest four): a
    // late ACK to any of them still shows the path works.
    probe_wait wait;
    bool retried = false;          ///< a retry went out since the last answer (no RTT sample then)
    recent_seqs unanswered;
    bool last_round_good = false;  ///< the ACK for our last INQ came back
    bool inq_seen = false;         ///< a round INQ arrived on this path (replay check)
    bool was_up = false;           ///< has been up at least once (warm-up probes only then)
    std::uint32_t last_inq_seq = 0;
    std::uint32_t inq_seq_incarnation = 0;  ///< the incarnation last_inq_seq is of
    rtt_estimator rtt;             ///< round-trip time (RFC 6298)
    std::uint8_t rtt_rounds = 0;   ///< mutual: rounds still to ask for an ACK (RTT samples)
    loss_window rounds;            ///< good/missed rounds over the last minute
    flap_damping damping;          ///< flap penalty (only when damping is on)

    // A peer's notice being checked: our own probe must go unanswered
    // (a doubted notice, soon after a refuted one: two probes in a row).
    std::optional<purposeful_probe> notice_check;
    timestamp notice_refuted_at{-1}; ///< when the last notice for this path was refuted

    // Trust (PROTOCOL.md, "Trust"): the next hop must be an address the peer
    // proved (address_book); a source that is not it waits here, while the
    // path is not up, for a probe of its own.
    std::optional<ip_address> hop_candidate;
    /// With keys: an answer to a probe of ours (a round INQ or a probe-only
    /// one, random-start sequence) came on this path since it was last not
    /// up; without one the path does not come up (a replay cannot answer).
    bool fresh = false;
    // Without keys, a miss that the datagrams alone suggest (a round INQ
    // unanswered, a peer's INQ late or without us listed) is only suspected:
    // it counts when a probe-only INQ of ours goes unanswered too. `owed`
    // misses wait for the check in flight (suspicion_check); an answer
    // clears them.
    unsigned owed = 0;
    down_reason owed_reason = down_reason::missed;
    std::optional<purposeful_probe> suspicion_check;

    // Responder rounds (and mutual ones): the peer's round INQs awaited,
    // each by its deadline, a round's good counted once (inq_wait).
    inq_wait expect;

    /// The path's next deadline: the earliest time at which a probe of
    /// ours is judged by its timeout (the ACK's retry timeout, a notice's
    /// check, a suspected miss's check) or, when `inq_due`, the peer's next
    /// INQ is overdue. timestamp::max() when none. The engine wakes at the
    /// minimum over all paths.
    timestamp next_deadline(bool inq_due) const {
        timestamp t = timestamp::max();
        if (inq_due) t = std::min(t, expect.due());
        if (notice_check) t = std::min(t, notice_check->deadline);
        if (suspicion_check) t = std::min(t, suspicion_check->deadline);
        if (auto d = wait.deadline()) t = std::min(t, *d);
        if (hold == hold_state::retry_due) t = std::min(t, held_retry_at);
        return t;
    }

    explicit path(path_tracker t) : tracker(t) {}
    /// The state routes follow: a suppressed (flapping) path counts as down.
    path_state routing_state() const { return damping.suppressed() ? path_state::down : tracker.state(); }
};

/// A read-only look at one path: what it is judged to be and what its
/// evidence holds, for tests and tools, without reaching into the machines
/// that keep them.
class path_view {
public:
    explicit path_view(const path& p) : p_(p) {}
    path_state state() const { return p_.tracker.state(); }
    unsigned missed() const { return p_.tracker.missed(); }
    unsigned good_rounds() const { return p_.tracker.good_rounds(); }
    const std::optional<ip_address>& hop() const { return p_.hop; }
    /// The smoothed round-trip time and its deviation (0: not measured).
    duration srtt() const { return p_.rtt.srtt(); }
    duration rttvar() const { return p_.rtt.rttvar(); }
    /// Misses suspected (no keys) that wait for a probe of ours to confirm them.
    unsigned owed() const { return p_.owed; }
    /// The peer answered our last round's INQ (a responder is listed as heard).
    bool answered() const { return p_.last_round_good; }
    /// Mutual rounds: ACK rounds still to come for RTT samples after the first.
    unsigned rtt_burst_left() const { return p_.rtt_rounds; }
    /// A peer's notice about this path is being checked by a probe of ours.
    bool notice_check_pending() const { return p_.notice_check.has_value(); }
    /// When a notice about this path was last refuted (-1: never).
    timestamp notice_refuted_at() const { return p_.notice_refuted_at; }
    /// With keys: the last round INQ's sequence number seen here, and of
    /// which incarnation (replays of it or older ones are dropped).
    std::uint32_t last_inq_seq() const { return p_.last_inq_seq; }
    std::uint32_t last_inq_incarnation() const { return p_.inq_seq_incarnation; }
    /// Missed rounds over the last minute, in per cent.
    std::optional<double> loss_percent(timestamp now) const { return p_.rounds.loss_percent(now); }

private:
    const path& p_;
};

struct peer {
    std::string node_id;
    std::uint32_t incarnation = 0;
    std::uint32_t interval_us = 0;         ///< the peer's advertised probe interval
    std::vector<ip_address> addresses;     ///< the peer's advertised addresses
    std::map<path_key, path> paths;        ///< in preference order of LANs
    timestamp last_seen{0};
    timestamp unreachable_since{-1};       ///< every path down since then, -1 if not
    bool requestor = false;                ///< it sends INQs (so it ignores heard lists, unless mutual)
    bool mutual = false;                   ///< its round INQs carry flag_mutual
    /// Without keys a BYE is checked: until then the peer's paths are not
    /// judged, and it is forgotten only if no probe of ours is answered.
    timestamp leaving_until{-1};
    std::vector<std::uint32_t> leaving_probes;  ///< the BYE check's sequence numbers
    std::size_t bye_lan = 0;                    ///< where the BYE came in
    unsigned bye_checks_left = 0;               ///< rounds of the BYE's check still to send
    /// Where it was first heard (LAN and source): new node ids are limited
    /// per source address.
    std::size_t first_lan = 0;
    ip_address first_source;
};

using peer_map = std::map<std::string, peer>;

}  // namespace faild
