#include "faild/core/sequence_space.hpp"

#include "faild/core/wire.hpp"

#include <algorithm>

namespace faild {

sequence_space::sequence_space(std::uint32_t incarnation, std::optional<std::uint64_t> seed, std::uint32_t limit,
                               std::size_t slots)
    : incarnation_(incarnation),
      seeded_(seed.has_value()),
      rng_(seed.value_or(0)),
      limit_(std::clamp(limit, 1u, wire::max_round_seq)),
      rounds_(slots, 0) {
    if (seeded_) {
        draw_start();
        probe_counter_ = start_;  // probe-only INQs too: their ACKs count as answers
    }
}

bool sequence_space::exhausted() const {
    return std::any_of(rounds_.begin(), rounds_.end(), [&](std::uint32_t r) { return start_ + r >= limit_; });
}

void sequence_space::renew() {
    previous_ = incarnation_;
    // One more: with keys, incarnations must grow (an older one's datagrams
    // are replays), and a restart's, the wall-clock second, is far above
    // (one renewal takes at least 2^30 rounds: 12 days at the shortest
    // interval).
    if (++incarnation_ == 0) incarnation_ = 1;
    std::fill(rounds_.begin(), rounds_.end(), 0);
    draw_start();
}

std::uint32_t sequence_space::next_probe_seq() {
    return wire::probe_seq_bit | (++probe_counter_ & wire::max_round_seq);
}

void sequence_space::draw_start() {
    if (!seeded_) return;
    // splitmix64: unpredictable enough for its job (the seed comes from the
    // system's entropy), and the same seed gives the same starts in tests.
    std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    start_ = std::uint32_t(z % (std::uint64_t(limit_ / 2) + 1));
}

}  // namespace faild
