// DOC: drop_log — how often the core's noisy events reach the log.
//
// Dropped datagrams (and the other events a stranger can cause at will:
// refused node ids, notices, restarts) are logged in full the first time
// of each kind, by event and reason; after that only counted, and at most
// once a minute per kind one line says how many came since the last (and
// where the latest came from). A flood or a wrong key fills no disk, yet
// goes on being seen.
//
// Lines about peers (seen, evicted) have a budget of their own: at most 20
// a second; the lines held back are told as a count in the next second.
//
// Time passed in, effects out (fx::repeated, fx::log_suppressed).
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/effects.hpp"
#include "faild/core/ip_address.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace faild {

class drop_log {
public:
    /// After the first of its kind, a count line at most this often.
    static constexpr duration every = ms(60'000);

    /// Counts one event `event` (with `reason`, or none) seen on LAN `lan`
    /// from `from`; true when it is the first of its kind (the caller logs
    /// it in full at once). `event` and `reason` are static strings (a drop
    /// allocates nothing).
    bool first_of_kind(const char* module, severity level, const char* event, const char* reason,
                       std::optional<std::size_t> lan, const std::optional<ip_address>& from, timestamp now);
    /// The count lines that are due at `now` (a minute since the last of
    /// their kind, and something counted since), appended to `out`.
    /// `lan_name` names a LAN index (nullopt: the LAN is gone).
    void due_lines(timestamp now, const std::function<std::optional<std::string>(std::size_t)>& lan_name,
                   effect_list& out);
    /// Forgets the LAN of the latest event where `gone(lan)` says so (the
    /// LAN went, or another took its place).
    void forget_lans(const std::function<bool(std::size_t)>& gone);

private:
    struct kind {
        const char* module = "";
        severity level = severity::warning;
        std::uint64_t pending = 0;  ///< since the last line
        timestamp line_at{0};
        std::optional<std::size_t> lan;  ///< of the latest
        std::optional<ip_address> from;
    };
    /// By event and reason ("" for none).
    std::map<std::pair<std::string_view, std::string_view>, kind> kinds_;
};

/// At most `per_second` lines a second; what is held back is counted in
/// one fx::log_suppressed line when the next second starts.
class line_budget {
public:
    explicit line_budget(unsigned per_second = 20) : per_second_(per_second) {}
    /// True when a line may go out at `now`; false when it is held back.
    bool take(timestamp now, effect_list& out);

private:
    unsigned per_second_;
    timestamp window_start_{0};
    unsigned used_ = 0, held_back_ = 0;
};

}  // namespace faild
