#include "faild/core/log_limiter.hpp"

#include <doctest/doctest.h>

using namespace faild;

TEST_CASE("log_limiter: the first in full, then a count once a minute, whatever the rate") {
    log_limiter lim;  // a minute
    CHECK(lim.note("hook_dropped/busy", ms(0)));
    CHECK_FALSE(lim.next_due());  // nothing counted yet: no count line to wait for
    // 417 more in the next 10 s (the rate issue 20 measured): none in full.
    int full = 0;
    for (int i = 1; i <= 417; ++i) full += lim.note("hook_dropped/busy", ms(i * 24));
    CHECK(full == 0);
    CHECK(lim.pending("hook_dropped/busy") == 417);
    REQUIRE(lim.next_due());
    CHECK(*lim.next_due() == ms(60'000));
    CHECK(lim.due(ms(59'999)).empty());  // not before a minute after the first line
    auto lines = lim.due(ms(60'000));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].kind == "hook_dropped/busy");
    CHECK(lines[0].count == 417);
    CHECK(lines[0].over == ms(60'000));
    CHECK(lim.pending("hook_dropped/busy") == 0);
    CHECK(lim.due(ms(60'000)).empty());  // said once
}

TEST_CASE("log_limiter: a steady flood costs one count line a minute, never a line in full again") {
    log_limiter lim;
    CHECK(lim.note("k", ms(0)));
    int full = 0, count_lines = 0;
    std::uint64_t counted = 0;
    for (long long t = 10; t <= 600'000; t += 10) {  // 100 a second for 10 minutes
        full += lim.note("k", ms(t));
        for (const auto& l : lim.due(ms(t))) {
            ++count_lines;
            counted += l.count;
            CHECK(l.over == ms(60'000));
        }
    }
    CHECK(full == 0);
    CHECK(count_lines == 10);  // at 60 s, 120 s, ... 600 s
    CHECK(counted == 60'000);  // every one of them in a count line
    CHECK(lim.pending("k") == 0);
}

TEST_CASE("log_limiter: kinds are limited apart, and a kind quiet for a minute starts in full again") {
    log_limiter lim(ms(60'000));
    CHECK(lim.note("a", ms(0)));
    CHECK(lim.note("b", ms(1'000)));  // another kind: its own first line
    CHECK_FALSE(lim.note("a", ms(2'000)));
    CHECK(*lim.next_due() == ms(60'000));  // only a has something counted
    auto lines = lim.due(ms(61'000));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].kind == "a");
    CHECK(lines[0].count == 1);
    CHECK(lines[0].over == ms(61'000));
    // a's count line was at 61 s; quiet since. Within the minute: counted.
    CHECK_FALSE(lim.note("a", ms(100'000)));
    CHECK(lim.due(ms(121'000)).at(0).count == 1);
    // Quiet for a whole minute after its last line: in full again.
    CHECK(lim.note("a", ms(181'001)));
    // b has been quiet since 1 s: forgotten, so in full.
    CHECK(lim.note("b", ms(200'000)));
}
