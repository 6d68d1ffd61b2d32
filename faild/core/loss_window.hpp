// DOC: loss_window — good and missed rounds of one path over the last minute,
// in one-second buckets (bounded memory whatever the probe rate).
#pragma once

#include "faild/core/clock.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace faild {

class loss_window {
public:
    /// A round at `now`, good or missed.
    void record(timestamp now, bool good);
    /// Missed rounds in per cent over the 60 s before `now`; nullopt when
    /// there was no round.
    std::optional<double> loss_percent(timestamp now) const;

private:
    struct bucket {
        long long second = -1;
        std::uint32_t rounds = 0, missed = 0;
    };
    std::array<bucket, 60> buckets_{};
};

}  // namespace faild
