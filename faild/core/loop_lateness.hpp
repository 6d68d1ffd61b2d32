// DOC: loop_lateness — how late the probe loop woke: a busy host's stall of
// faild itself, told apart from the network's silence.
//
// The loop's timer is armed for the core's next deadline; the daemon notes
// when it was armed for and when the loop ran. A wakeup more than
// `threshold` late (max(2 ms, interval / 4)) means faild did not run when
// it should have: the scheduler, a page fault, a disk. Every path to every
// peer then goes silent at once, as far as faild can tell: a line that says
// so lets an operator tell a local stall from a double failure. The first
// late wakeup is reported at once; after it, at most one summary a minute
// while more come: how many of how many wakeups were late, and the worst.
// Pure: time is an argument.
#pragma once

#include "faild/core/clock.hpp"

#include <cstdint>
#include <optional>

namespace faild {

class loop_lateness {
public:
    /// Wakeups later than `threshold` count as late; a summary at most
    /// every `every`.
    explicit loop_lateness(duration threshold, duration every = ms(60'000))
        : threshold_(threshold), every_(every) {}

    /// The lateness threshold for probe interval `t`: max(2 ms, t / 4).
    static duration threshold_for(duration t);

    /// What a report says.
    struct report {
        std::uint64_t late = 0;     ///< late wakeups since the last report
        std::uint64_t wakeups = 0;  ///< all wakeups since the last report
        duration worst{0};          ///< the latest of them
        duration over{0};           ///< the time since the last report (0: the first)
    };
    /// The loop ran at `woke` for a wakeup armed for `armed`: a report when
    /// one is due (the first late wakeup; then a minute after the last
    /// report, when any were late since).
    std::optional<report> note(timestamp armed, timestamp woke);

private:
    duration threshold_;
    duration every_;
    bool reported_ = false;  ///< the first late wakeup was reported
    timestamp last_report_{0};
    report pending_;
};

}  // namespace faild
