#include "faild/core/silence_watch.hpp"

#include "faild/core/options.hpp"

#include <algorithm>

namespace faild {

duration silence_watch::after_for(duration interval) { return std::max<duration>(ms(10'000), interval * 3); }

std::optional<effect> silence_watch::check(timestamp now, const peer_map& peers) {
    // A responder hears only requestors (their INQs); a requestor also
    // hears the ACKs of responders.
    std::size_t heard = 0;
    timestamp latest{-1};
    for (const auto& [id, p] : peers) {
        if (!cfg_.requestor && !p.requestor) continue;
        latest = std::max(latest, p.last_seen);
        if (now - p.last_seen < cfg_.after) ++heard;
    }
    quiet_since_ = std::max(quiet_since_, latest);  // silent since the last one was heard
    if (heard) {
        if (!warned_) return std::nullopt;
        warned_ = false;
        return effect(fx::peer_heard{heard});
    }
    if (now - quiet_since_ < cfg_.after) return std::nullopt;
    if (warned_ && now - warned_at_ < cfg_.repeat) return std::nullopt;
    warned_ = true;
    warned_at_ = now;
    return effect(fx::no_peer_heard{now - quiet_since_, cfg_.requestor, cfg_.port, cfg_.lans});
}

}  // namespace faild
