#include "faild/core/sequence_space.hpp"

#include "faild/core/wire.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace faild;

TEST_CASE("sequence_space: without a seed, rounds count from 0 per slot, probes from 0 with the top bit") {
    sequence_space s(7, std::nullopt, wire::max_round_seq, 4);
    CHECK(s.incarnation() == 7);
    CHECK(s.previous_incarnation() == 0);
    CHECK(s.last_round_seq(0) == 0);
    CHECK(s.rounds(0) == 0);
    CHECK(s.next_round_seq(0) == 1);
    CHECK(s.next_round_seq(0) == 2);
    CHECK(s.next_round_seq(3) == 1);  // slots are apart
    CHECK(s.rounds(0) == 2);
    CHECK(s.last_round_seq(0) == 2);
    CHECK(s.next_probe_seq() == (wire::probe_seq_bit | 1));
    CHECK(s.next_probe_seq() == (wire::probe_seq_bit | 2));
    CHECK(s.ours(7));
    CHECK_FALSE(s.ours(0));
    CHECK_FALSE(s.ours(8));
}

TEST_CASE("sequence_space: a seed draws a start in [0, limit / 2], the same for the same seed") {
    std::set<std::uint32_t> starts;
    for (std::uint64_t seed = 1; seed < 50; ++seed) {
        sequence_space a(1, seed, 1000, 2), b(1, seed, 1000, 2);
        CHECK(a.last_round_seq(0) == b.last_round_seq(0));
        CHECK(a.last_round_seq(0) <= 500);
        // Probe-only INQs start there too (their ACKs count as answers).
        CHECK(a.next_probe_seq() == (wire::probe_seq_bit | (a.last_round_seq(0) + 1)));
        starts.insert(a.last_round_seq(0));
    }
    CHECK(starts.size() > 40);
}

TEST_CASE("sequence_space: at the limit it is exhausted, and renewal is incarnation + 1, rounds from a new start") {
    sequence_space s(41, std::nullopt, 3, 2);
    CHECK(s.limit() == 3);
    s.next_round_seq(1);
    s.next_round_seq(1);
    CHECK_FALSE(s.exhausted());
    CHECK(s.next_round_seq(1) == 3);
    CHECK(s.exhausted());
    s.renew();
    CHECK(s.incarnation() == 42);
    CHECK(s.previous_incarnation() == 41);
    CHECK(s.ours(41));
    CHECK(s.ours(42));
    CHECK(s.rounds(0) == 0);
    CHECK(s.rounds(1) == 0);
    CHECK_FALSE(s.exhausted());
    // Seeded: a fresh start each renewal.
    sequence_space r(1, 99, 1'000'000, 1);
    const auto first = r.last_round_seq(0);
    r.renew();
    CHECK(r.last_round_seq(0) != first);
}

TEST_CASE("sequence_space: the incarnation never becomes 0, the limit is kept in range, new slots start at 0") {
    sequence_space s(0xffffffffu, std::nullopt, 0, 1);
    CHECK(s.limit() == 1);
    s.renew();
    CHECK(s.incarnation() == 1);
    sequence_space big(1, std::nullopt, 0xffffffffu, 1);
    CHECK(big.limit() == wire::max_round_seq);
    big.next_round_seq(0);
    big.resize(3);
    CHECK(big.rounds(0) == 1);
    CHECK(big.rounds(2) == 0);
}
