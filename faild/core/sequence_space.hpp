// DOC: sequence_space — the numbers our datagrams carry: incarnation and
// sequence numbers.
//
// Round INQs are numbered per LAN-family (a *slot*), from a start that is
// random when a seed is given (with keys: an answer to our random-start
// sequence is fresh evidence, a recording cannot produce it) and 0
// without. They never wrap: when a slot's last round number reaches the
// limit (round_seq_limit, at most wire::max_round_seq) the node takes
// incarnation + 1 and every slot starts again from a new random start
// (renew). The incarnation before stays known a while: our own broadcasts
// of it may still come back to us.
//
// Probe-only INQs (retries, notice and suspicion checks, BYE checks,
// proof probes) have the top bit set (wire::probe_seq_bit), so they are
// never a round's; they count up from the first start. Pure, no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace faild {

class sequence_space {
public:
    /// `incarnation` the first; `seed` for the random starts (none: from 0);
    /// `limit` the highest round sequence number (clamped to
    /// [1, wire::max_round_seq]); `slots` LAN-families.
    sequence_space(std::uint32_t incarnation, std::optional<std::uint64_t> seed, std::uint32_t limit,
                   std::size_t slots);

    std::uint32_t incarnation() const { return incarnation_; }
    /// The incarnation before the last renewal (0: none).
    std::uint32_t previous_incarnation() const { return previous_; }
    /// `inc` is ours: the current incarnation or the one before.
    bool ours(std::uint32_t inc) const { return inc == incarnation_ || (previous_ != 0 && inc == previous_); }

    /// Round INQs sent in this incarnation in `slot`.
    std::uint32_t rounds(std::size_t slot) const { return rounds_[slot]; }
    /// The sequence number of the last round INQ sent in `slot` (the start
    /// while none has been).
    std::uint32_t last_round_seq(std::size_t slot) const { return start_ + rounds_[slot]; }
    /// Numbers the next round INQ of `slot` and returns its sequence number.
    std::uint32_t next_round_seq(std::size_t slot) { return start_ + ++rounds_[slot]; }
    /// Some slot used its last round sequence number: renew() before sending.
    bool exhausted() const;
    /// A new incarnation (one more; never 0) and every slot from a new start.
    void renew();
    /// A sequence number for a probe-only INQ (top bit set).
    std::uint32_t next_probe_seq();
    /// The number of slots (LAN-families) changed: new ones start at 0.
    void resize(std::size_t slots) { rounds_.resize(slots); }
    /// The highest round sequence number.
    std::uint32_t limit() const { return limit_; }

private:
    void draw_start();

    std::uint32_t incarnation_;
    std::uint32_t previous_ = 0;
    bool seeded_;
    std::uint64_t rng_ = 0;
    std::uint32_t limit_;
    std::uint32_t start_ = 0;
    std::uint32_t probe_counter_ = 0;
    std::vector<std::uint32_t> rounds_;
};

}  // namespace faild
