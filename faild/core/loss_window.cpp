#include "faild/core/loss_window.hpp"

namespace faild {

void loss_window::record(timestamp now, bool good) {
    long long sec = now.count() / 1'000'000;
    auto& b = buckets_[std::size_t(sec % 60)];
    if (b.second != sec) b = bucket{sec, 0, 0};
    ++b.rounds;
    if (!good) ++b.missed;
}

std::optional<double> loss_window::loss_percent(timestamp now) const {
    long long sec = now.count() / 1'000'000;
    std::uint64_t rounds = 0, missed = 0;
    for (const auto& b : buckets_)
        if (b.second >= 0 && b.second > sec - 60 && b.second <= sec) {
            rounds += b.rounds;
            missed += b.missed;
        }
    if (rounds == 0) return std::nullopt;
    return 100.0 * double(missed) / double(rounds);
}

}  // namespace faild
