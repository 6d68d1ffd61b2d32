// DOC: effects — what the core says happened, as typed values.
//
//   engine, reconciler ──> effect_list ──┬──> log (daemon/effect_log: the one
//   silence_watch                        │    formatter that makes the lines)
//                                        ├──> hooks (hooks.cpp: failover, ...)
//                                        ├──> faildctl events (from the lines'
//                                        │    fields, made by the formatter)
//                                        └──> the daemon (why to reconcile)
//
// Each effect is a struct of typed fields: names, addresses, enums, counts.
// Nothing reads log text: tests, hooks and the daemon look at these values;
// the formatter's own tests own the text of the lines. Plain data, no I/O.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/event.hpp"
#include "faild/core/ip_address.hpp"
#include "faild/core/path_tracker.hpp"
#include "faild/core/route.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

namespace faild {

namespace effect_compare {
/// Every effect (and path_ref) compares field by field, through its tie().
template <typename T, typename = decltype(std::declval<const T&>().tie())>
bool operator==(const T& a, const T& b) {
    return a.tie() == b.tie();
}
template <typename T, typename = decltype(std::declval<const T&>().tie())>
bool operator!=(const T& a, const T& b) {
    return !(a == b);
}
}  // namespace effect_compare
using effect_compare::operator==;
using effect_compare::operator!=;

/// One path, as the effects name it: the peer, the LAN's name, the family.
struct path_ref {
    std::string peer;
    std::string lan;
    family fam = family::v4;
    auto tie() const { return std::tie(peer, lan, fam); }
};

namespace fx {

using effect_compare::operator==;  // found by argument-dependent lookup
using effect_compare::operator!=;

// ---- paths -------------------------------------------------------------------

/// A path was made (the peer was heard on a LAN-family, or claims an
/// address there). Debug.
struct path_new {
    path_ref path;
    auto tie() const { return std::tie(path); }
};
/// A path went up or down (path_up, path_down).
struct path_changed {
    path_ref path;
    path_state from = path_state::init;
    path_state to = path_state::up;
    unsigned missed = 0;  ///< consecutive misses when it happened
    unsigned good = 0;    ///< consecutive good rounds when it happened
    down_reason reason = down_reason::missed;  ///< going down only
    bool down() const { return to == path_state::down; }
    auto tie() const { return std::tie(path, from, to, missed, good, reason); }
};
/// A down path on a LAN-family where the peer no longer advertises an address.
struct path_forgotten {
    path_ref path;
    auto tie() const { return std::tie(path); }
};
/// Flap damping: a flapping path is routed around.
struct path_suppressed {
    path_ref path;
    long long penalty = 0;
    auto tie() const { return std::tie(path, penalty); }
};
/// Flap damping: the penalty decayed, the path counts again.
struct path_reused {
    path_ref path;
    path_state state = path_state::init;
    auto tie() const { return std::tie(path, state); }
};
/// Fast confirmation probed again. Debug.
struct probe_retry {
    path_ref path;
    unsigned missed = 0;
    duration timeout{0};
    auto tie() const { return std::tie(path, missed, timeout); }
};
/// A miss was held, not counted: it is owed until a fresh probe of ours
/// answers it or not (stall_guard). Logged at info, the first of each
/// reason in full, then counted once a minute.
struct miss_held {
    enum class why {
        stall,         ///< judged late: faild itself did not run
        mass_silence,  ///< every path of the peer silent at once
        peer_silent,   ///< a retry and its control went unanswered: the peer answered nowhere
    };
    path_ref path;
    why reason = why::stall;
    unsigned owed = 0;
    auto tie() const { return std::tie(path, reason, owed); }
};
inline const char* to_string(miss_held::why w) {
    switch (w) {
    case miss_held::why::stall: return "stall";
    case miss_held::why::mass_silence: return "mass_silence";
    case miss_held::why::peer_silent: return "peer_silent";
    }
    return "?";
}

// ---- notices -----------------------------------------------------------------

/// We told the peer its path on `path.lan` is down, over LAN `via`.
struct notice_sent {
    path_ref path;
    std::string via;
    auto tie() const { return std::tie(path, via); }
};
/// A peer's notice about a path; our own probe checks it.
struct notice_received {
    path_ref path;
    auto tie() const { return std::tie(path); }
};
/// The peer answered on the path a notice called dead.
struct notice_refuted {
    path_ref path;
    auto tie() const { return std::tie(path); }
};

// ---- peers -------------------------------------------------------------------

struct peer_seen {
    std::string peer, lan;
    ip_address addr;
    auto tie() const { return std::tie(peer, lan, addr); }
};
struct peer_restarted {
    std::string peer;
    std::uint32_t incarnation = 0;
    auto tie() const { return std::tie(peer, incarnation); }
};
/// A peer was forgotten: it said BYE (checked), went silent, or made room.
struct peer_left {
    enum class why { bye, lost, evicted };
    std::string peer;
    why reason = why::bye;
    std::string lan;  ///< where the BYE came in ("-" when that LAN is gone); bye only
    auto tie() const { return std::tie(peer, reason, lan); }
};
/// A BYE came, but the peer answers: forged or replayed.
struct bye_refuted {
    std::string peer, lan;
    auto tie() const { return std::tie(peer, lan); }
};
/// The peer answered a probe sent to `addr`: the address is its own.
struct address_proven {
    std::string peer;
    ip_address addr;
    std::string lan;
    auto tie() const { return std::tie(peer, addr, lan); }
};
/// Another node (`holder`) answered at an address `peer` claims.
struct claim_refuted {
    std::string peer;
    ip_address addr;
    std::string holder, lan;
    auto tie() const { return std::tie(peer, addr, holder, lan); }
};
/// An address `holder` proved first was refused to `peer`.
struct claim_refused {
    std::string peer;
    ip_address addr;
    std::string holder;
    auto tie() const { return std::tie(peer, addr, holder); }
};
/// The peer table is full of peers that may not give way.
struct peer_limit {
    std::size_t max_peers = 0;
    bool keyed = false;
    auto tie() const { return std::tie(max_peers, keyed); }
};
/// More new node ids than 20 a second: `lines` peer lines held back.
struct log_suppressed {
    unsigned lines = 0;
    auto tie() const { return std::tie(lines); }
};
/// Our node id, heard with another incarnation: another host uses it.
struct node_id_collision {
    std::string node_id, lan;
    ip_address from;
    auto tie() const { return std::tie(node_id, lan, from); }
};
/// We took a new incarnation: the round sequence numbers ran out.
struct incarnation_renewed {
    std::uint32_t incarnation = 0, previous = 0;
    auto tie() const { return std::tie(incarnation, previous); }
};

// ---- datagrams and repeated lines --------------------------------------------

/// A datagram dropped unread, the first of its reason (later ones are
/// counted: `repeated`). `reason` is a static string ("replay", "bad_mac").
struct datagram_dropped {
    const char* reason = "";
    std::string lan;
    ip_address from;
    auto tie() const { return std::tuple<std::string_view, const std::string&, const ip_address&>(reason, lan, from); }
};
/// The count of the lines of one kind held back since the last of them
/// (one a minute at most): `event` (and `reason`, "" for none) name the kind.
struct repeated {
    std::string module;
    severity level = severity::warning;
    std::string event, reason;
    unsigned long long count = 0;
    long long seconds = 0;
    std::optional<std::string> lan;   ///< of the latest
    std::optional<ip_address> from;   ///< of the latest
    auto tie() const { return std::tie(module, level, event, reason, count, seconds, lan, from); }
};

// ---- routes ------------------------------------------------------------------

/// A route change made (or, for restored, put back after someone else removed it).
struct route_changed {
    enum class op { added, replaced, removed, restored };
    op what = op::added;
    route r;
    sync_reason reason = sync_reason::none;  ///< removed: why (none for the others)
    std::string peer;    ///< the peer the plan named for it ("" when none)
    auto tie() const { return std::tie(what, r, reason, peer); }
};
/// A route change the table refused.
struct route_failed {
    enum class op { add, replace, remove };
    op what = op::add;
    route r;
    std::string error;
    auto tie() const { return std::tie(what, r, error); }
};
/// At start: routes an earlier run left, kept for `window` while the paths
/// are learnt again (route_sync).
struct routes_adopted {
    std::size_t count = 0;
    duration window{0};
    auto tie() const { return std::tie(count, window); }
};
struct route_table_unreadable {
    std::string error;
    auto tie() const { return std::tie(error); }
};

// ---- silence -------------------------------------------------------------------

/// Nothing heard for `quiet`: why, and what to check (no_peer_heard).
struct no_peer_heard {
    duration quiet{0};
    bool requestor = false;
    std::uint16_t port = 0;
    std::string lans;
    auto tie() const { return std::tie(quiet, requestor, port, lans); }
};
/// The silence is over (peer_heard).
struct peer_heard {
    std::size_t peers = 0;
    auto tie() const { return std::tie(peers); }
};

}  // namespace fx

using effect =
    std::variant<fx::path_new, fx::path_changed, fx::path_forgotten, fx::path_suppressed, fx::path_reused,
                 fx::probe_retry, fx::miss_held, fx::notice_sent, fx::notice_received, fx::notice_refuted, fx::peer_seen,
                 fx::peer_restarted, fx::peer_left, fx::bye_refuted, fx::address_proven, fx::claim_refuted,
                 fx::claim_refused, fx::peer_limit, fx::log_suppressed, fx::node_id_collision,
                 fx::incarnation_renewed, fx::datagram_dropped, fx::repeated, fx::route_changed, fx::route_failed,
                 fx::routes_adopted, fx::route_table_unreadable, fx::no_peer_heard, fx::peer_heard>;
using effect_list = std::vector<effect>;

/// The effects of kind E in `list`, in order.
template <typename E>
std::vector<E> effects_of(const effect_list& list) {
    std::vector<E> out;
    for (const auto& e : list)
        if (const auto* x = std::get_if<E>(&e)) out.push_back(*x);
    return out;
}

}  // namespace faild
