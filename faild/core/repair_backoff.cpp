// DOC: repair_backoff — see repair_backoff.hpp.
#include "faild/core/repair_backoff.hpp"

#include <algorithm>

namespace faild {

bool repair_backoff::due(const ip_address& dst, timestamp now) const {
    auto it = waits_.find(dst);
    return it == waits_.end() || now >= it->second.until;
}

void repair_backoff::failed(const ip_address& dst, timestamp now) {
    auto [it, fresh] = waits_.try_emplace(dst);
    wait& w = it->second;
    w.last = fresh ? base_ : std::min<duration>(w.last * 2, max_);
    w.until = now + w.last;
}

std::optional<timestamp> repair_backoff::retry_at(const ip_address& dst) const {
    auto it = waits_.find(dst);
    if (it == waits_.end()) return std::nullopt;
    return it->second.until;
}

}  // namespace faild
