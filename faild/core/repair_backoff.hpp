// DOC: repair_backoff — when the periodic repair tries a refused route again.
//
// The repair puts back, every interval, what the table lacks. A change the
// table refuses (a foreign route holds the destination, the next hop is
// unreachable) would be refused again, and logged, every interval; so each
// destination whose change failed waits before it is tried again: `base`
// after its first failure, twice as long after each further one, at most
// `max`. Per destination: one route in conflict never delays the repair of
// another. A destination whose change succeeds, or that needs no change
// any more, starts afresh. Pure: time is an argument.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/ip_address.hpp"

#include <cstddef>
#include <iterator>
#include <map>
#include <optional>

namespace faild {

class repair_backoff {
public:
    explicit repair_backoff(duration base = ms(1000), duration max = ms(30'000)) : base_(base), max_(max) {}

    /// May a change for `dst` be tried at `now`?
    bool due(const ip_address& dst, timestamp now) const;
    /// A change for `dst` failed at `now`: the next try waits `base`, or
    /// twice the last wait (at most `max`).
    void failed(const ip_address& dst, timestamp now);
    /// A change for `dst` succeeded, or none is needed: no wait any more.
    void clear(const ip_address& dst) { waits_.erase(dst); }
    /// Forgets every destination for which `needed(dst)` is false.
    template <typename Pred>
    void keep_only(Pred&& needed) {
        for (auto it = waits_.begin(); it != waits_.end();) it = needed(it->first) ? std::next(it) : waits_.erase(it);
    }
    /// When `dst` may be tried again; nullopt when it need not wait.
    std::optional<timestamp> retry_at(const ip_address& dst) const;
    /// Destinations waiting.
    std::size_t size() const { return waits_.size(); }

private:
    struct wait {
        duration last{0};  ///< the wait after the latest failure
        timestamp until{0};
    };
    duration base_, max_;
    std::map<ip_address, wait> waits_;
};

}  // namespace faild
