// DOC: log_limiter — keeps a log line that can repeat per datagram or per
// event from flooding the log.
//
// The first occurrence of a kind is logged in full, at once. After it, the
// occurrences are only counted, and while any are counted a line with the
// count is due once a period (a minute by default) after the kind's last
// line. A kind that has been quiet for a whole period (nothing counted, its
// last line a period old) is forgotten: its next occurrence is in full
// again. So a kind costs at most two lines a period, whatever the rate.
//
// Kinds are keyed by text the caller chooses ("hook_dropped/busy"): a
// bounded set, never a sender's or a peer's name. Pure: time is an
// argument; the caller writes the lines and wakes itself for next_due().
#pragma once

#include "faild/core/clock.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faild {

class log_limiter {
public:
    explicit log_limiter(duration every = ms(60'000)) : every_(every) {}

    /// One occurrence of `kind` at `now`: true when it is to be logged in
    /// full now, false when it was counted for a later count line.
    bool note(std::string_view kind, timestamp now);

    /// A count line: `count` occurrences of `kind` held back over `over`
    /// (the time since the kind's last line).
    struct count_line {
        std::string kind;
        std::uint64_t count = 0;
        duration over{0};
    };
    /// The count lines due at `now`, one per kind whose last line is a
    /// period old and that has occurrences counted since; each starts its
    /// count again. Forgets the kinds that have been quiet for a period.
    std::vector<count_line> due(timestamp now);

    /// When the next count line falls due; nullopt while nothing is counted.
    std::optional<timestamp> next_due() const;

    /// Occurrences of `kind` counted and not yet in a count line.
    std::uint64_t pending(std::string_view kind) const;

private:
    struct kind_state {
        timestamp line_at{0};       ///< its last line (in full or a count)
        std::uint64_t pending = 0;  ///< counted since
    };
    duration every_;
    std::map<std::string, kind_state, std::less<>> kinds_;
};

}  // namespace faild
