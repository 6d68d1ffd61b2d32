// DOC: path_tracker — the f/s counting of one path (one peer on one LAN).
//
//            s good rounds               f misses in a row
//   init ------------------> up ------------------------------> down
//     |                       ^                                   |
//     | f misses in a row     +---------- s good rounds ----------+
//     +-------------------------------------> down
//
// The tracker only counts and reports verdicts; it does not schedule rounds
// (the engine decides when a round is good or missed) and it does not act.
// A path heard for the first time starts in `init`: not yet proven, so it is
// neither a failover target nor a reason to fail over until it leaves init.
#pragma once

#include "faild/core/clock.hpp"

#include <optional>

namespace faild {

enum class path_state { init, up, down };
const char* to_string(path_state s);

/// Why a path went down.
enum class down_reason { missed, one_way, carrier, peer_notice };
const char* to_string(down_reason r);

struct transition {
    path_state from;
    path_state to;
    unsigned missed;  ///< consecutive misses when it happened
    unsigned good;    ///< consecutive good rounds when it happened
    down_reason reason = down_reason::missed;
};

class path_tracker {
public:
    /// `fail_after` (f) consecutive misses take the path down, `up_after` (s)
    /// consecutive good rounds bring it up. Both at least 1.
    path_tracker(unsigned fail_after, unsigned up_after, timestamp now);

    /// A good round at `now`; a transition when this one made the path up.
    std::optional<transition> good(timestamp now);
    /// A missed (or bad) round at `now`; a transition when the path went down.
    std::optional<transition> miss(timestamp now, down_reason why = down_reason::missed);
    /// Down at once, whatever the counts (carrier loss, a confirmed notice);
    /// a transition unless it was down already. The path then needs s good
    /// rounds like any other.
    std::optional<transition> force_down(timestamp now, down_reason why);

    path_state state() const { return state_; }
    unsigned missed() const { return missed_; }
    unsigned good_rounds() const { return good_; }
    /// When the state last changed (or the tracker was made).
    timestamp since() const { return since_; }

private:
    unsigned fail_after_, up_after_;
    path_state state_ = path_state::init;
    unsigned missed_ = 0, good_ = 0;
    timestamp since_;
};

}  // namespace faild
