// DOC: log_limiter — see log_limiter.hpp.
#include "faild/core/log_limiter.hpp"

namespace faild {

bool log_limiter::note(std::string_view kind, timestamp now) {
    auto it = kinds_.find(kind);
    if (it == kinds_.end()) {
        kinds_.emplace(std::string(kind), kind_state{now, 0});
        return true;
    }
    kind_state& k = it->second;
    if (k.pending == 0 && now - k.line_at >= every_) {  // quiet for a period: a new start
        k.line_at = now;
        return true;
    }
    ++k.pending;
    return false;
}

std::vector<log_limiter::count_line> log_limiter::due(timestamp now) {
    std::vector<count_line> out;
    for (auto it = kinds_.begin(); it != kinds_.end();) {
        kind_state& k = it->second;
        if (now - k.line_at < every_) {
            ++it;
        } else if (k.pending == 0) {
            it = kinds_.erase(it);  // quiet for a period: forgotten
        } else {
            out.push_back({it->first, k.pending, now - k.line_at});
            k.pending = 0;
            k.line_at = now;
            ++it;
        }
    }
    return out;
}

std::optional<timestamp> log_limiter::next_due() const {
    std::optional<timestamp> next;
    for (const auto& [kind, k] : kinds_)
        if (k.pending > 0 && (!next || k.line_at + every_ < *next)) next = k.line_at + every_;
    return next;
}

std::uint64_t log_limiter::pending(std::string_view kind) const {
    auto it = kinds_.find(kind);
    return it == kinds_.end() ? 0 : it->second.pending;
}

}  // namespace faild
