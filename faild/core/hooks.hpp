// DOC: hooks — which events run the notify program, with what, and which
// of them may wait or be dropped when many come at once.
//
//   PROGRAM EVENT PEER LAN FAMILY
//   FAILD_EVENT FAILD_PEER FAILD_LAN FAILD_FAMILY FAILD_NODE_ID, and
//   FAILD_REASON (path_down; route_removed: replanned or peer_gone),
//   FAILD_ROUTE (failover, switchback, route_removed: the route)
//
// Events: path_down, path_up, failover (a route went in), switchback (a
// route came out because the path is back), route_removed (a route came out
// because the plan changed otherwise, or its peer left), peer_lost. A route
// event names the peer the route plan chose for the route (the reconciler's
// `peer` field), never a guess from the peers' address lists.
//
// The daemon runs the program asynchronously with a timeout; this part only
// decides. Calls about a proven peer, and every route event, are
// *important*: hook_queue never drops one of them for calls about unproven
// peers (a flood of forged node ids must not silence a real failover).
#pragma once

#include "faild/core/address_book.hpp"
#include "faild/core/effects.hpp"
#include "faild/core/peer_table.hpp"

#include <cstddef>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace faild {

/// Whether `p` is a proven peer: it has had a path up through a next hop
/// it proved (it answered a probe of ours sent there: address_book), so
/// it is a host that answers at that address, not just a node id someone
/// sent.
bool proven_peer(const peer& p, const std::vector<lan>& lans, const address_book& proofs);

struct hook_call {
    std::vector<std::string> args;  ///< EVENT PEER LAN FAMILY (after the program)
    std::vector<std::string> env;   ///< "FAILD_EVENT=path_down", ...
    /// About a proven peer, or a route change (see hook_queue).
    bool important = false;
};

/// The hook call for `e`, or nullopt when the event runs no hook. Route
/// events name the peer the route plan chose (the event's `peer` field)
/// and the LAN whose prefix holds the destination. A path event is
/// important when its peer is proven; peer_lost, whose peer has left the
/// table already, is not (hook_planner remembers better).
std::optional<hook_call> hook_for(const effect& e, const std::string& node_id, const std::vector<lan>& lans,
                                  const peer_map& peers, const address_book& proofs);

/// hook_for() with a memory: which peers were proven, kept past their
/// removal from the table, so that a proven peer's peer_lost is important
/// like its other events. Sees every event (also while no program is set),
/// and forgets a peer when it leaves (peer_lost, bye, peer_evicted).
class hook_planner {
public:
    std::optional<hook_call> plan(const effect& e, const std::string& node_id, const std::vector<lan>& lans,
                                  const peer_map& peers, const address_book& proofs);
    /// Peers remembered as proven.
    std::size_t remembered() const { return proven_.size(); }

private:
    std::set<std::string, std::less<>> proven_;
};

/// Which hook calls run now, wait, or are dropped. At most `running` run
/// at a time, of them at most `unimportant_running` calls that are not
/// important; those never wait: dropped when they cannot start. Important
/// calls wait, in order, for a free slot, and are dropped only when
/// `waiting` of them wait already. So an important call is never dropped
/// for unimportant ones: they hold at most part of the slots, and each
/// slot frees within the hook timeout.
class hook_queue {
public:
    struct limits {
        std::size_t running = 8;
        std::size_t unimportant_running = 4;
        std::size_t waiting = 64;
    };
    explicit hook_queue(limits l) : limits_(l) {}
    hook_queue() : hook_queue(limits{}) {}

    enum class offer_result {
        accepted,    ///< next() hands it out, now or when a slot frees
        busy,        ///< not important, and no slot for it: dropped
        queue_full,  ///< important, but `waiting` wait already: dropped
    };
    offer_result offer(hook_call c);
    /// The call to start now, if one is waiting and may run: from then on
    /// it counts as running until finished().
    std::optional<hook_call> next();
    /// A call handed out by next() ended (or could not start).
    void finished(bool important);

    std::size_t running() const { return running_; }
    std::size_t waiting() const { return waiting_.size() + (ready_ ? 1 : 0); }

private:
    limits limits_;
    std::size_t running_ = 0, unimportant_running_ = 0;
    std::deque<hook_call> waiting_;   ///< important calls, oldest first
    std::optional<hook_call> ready_;  ///< an unimportant call accepted, not yet handed out
};

/// Hook output as it may go into the log: valid UTF-8 stays, every other
/// byte, and control characters but tab and newline, become \xNN.
std::string printable_output(std::string_view raw);

}  // namespace faild
