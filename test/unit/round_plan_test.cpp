#include "faild/core/round_plan.hpp"

#include "faild/core/wire.hpp"

#include <doctest/doctest.h>

using namespace faild;
using namespace faild::round_plan;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

member responder(const char* id, bool heard, const char* hop = "192.0.2.2") {
    member m;
    m.id = id;
    m.heard = heard;
    if (hop) m.hop = ip(hop);
    return m;
}

}  // namespace

TEST_CASE("round_plan: ACKs are wanted every 64th round, the first included") {
    const std::vector<rtt_need> none;
    for (std::uint32_t round : {0u, 64u, 128u}) CHECK(decide_acks(round, none).wanted);
    for (std::uint32_t round : {1u, 16u, 63u, 65u}) CHECK_FALSE(decide_acks(round, none).wanted);
}

TEST_CASE("round_plan: an up mutual path without RTT wants ACKs every round, and a broadcast") {
    rtt_need fresh{true, true, false, 0};
    auto d = decide_acks(5, {fresh});
    CHECK(d.wanted);
    CHECK(d.unmeasured);
    CHECK(d.burst_taken == std::vector<bool>{false});
    // Not up, or not mutual: no matter.
    CHECK_FALSE(decide_acks(5, {rtt_need{true, false, false, 0}}).wanted);
    CHECK_FALSE(decide_acks(5, {rtt_need{false, true, false, 0}}).wanted);
    auto pl = make_plan(5, d, true, {responder("h2", false)});
    CHECK(pl.broadcast);
    CHECK(pl.unicast.empty());
}

TEST_CASE("round_plan: the RTT burst: each round of it wants ACKs and takes one from each path's count") {
    const std::vector<rtt_need> peers{{true, true, true, 7}, {true, true, true, 0}, {true, true, true, 2}};
    auto d = decide_acks(5, peers);
    CHECK(d.wanted);
    CHECK_FALSE(d.unmeasured);
    CHECK(d.burst_taken == std::vector<bool>{true, false, true});
    // Burst rounds go by unicast like any other.
    std::vector<member> ms{responder("a", false, "192.0.2.2"), responder("b", false, "192.0.2.3")};
    ms[0].mutual = ms[1].mutual = true;
    auto pl = make_plan(5, d, true, ms);
    CHECK_FALSE(pl.broadcast);
    CHECK(pl.unicast == std::vector<ip_address>{ip("192.0.2.2"), ip("192.0.2.3")});
    CHECK(rtt_burst == 8);
}

TEST_CASE("round_plan: mutual peers are awaited only in the ACK rounds, the others always") {
    std::vector<member> ms{responder("m", true), responder("r", true)};
    ms[0].mutual = true;
    auto quiet = make_plan(3, decide_acks(3, {}), true, ms);
    CHECK(quiet.awaited == std::vector<bool>{false, true});
    auto ack = make_plan(64, decide_acks(64, {}), true, ms);
    CHECK(ack.awaited == std::vector<bool>{true, true});
}

TEST_CASE("round_plan: unicast to up to 4 peers with a next hop, else and every 16th round to the LAN") {
    std::vector<member> four;
    for (const char* a : {"192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"}) four.push_back(responder(a, false, a));
    auto pl = make_plan(1, decide_acks(1, {}), true, four);
    CHECK_FALSE(pl.broadcast);
    CHECK(pl.unicast.size() == 4);
    CHECK(make_plan(16, decide_acks(16, {}), true, four).broadcast);
    CHECK(make_plan(0, decide_acks(0, {}), true, four).broadcast);
    CHECK(make_plan(1, decide_acks(1, {}), false, four).broadcast);  // unicast INQs off
    auto five = four;
    five.push_back(responder("e", false, "192.0.2.6"));
    CHECK(make_plan(1, decide_acks(1, {}), true, five).broadcast);
    auto hopless = four;
    hopless[2].hop.reset();
    auto h = make_plan(1, decide_acks(1, {}), true, hopless);
    CHECK(h.broadcast);
    CHECK(h.unicast.empty());
    CHECK(make_plan(1, decide_acks(1, {}), true, {}).broadcast);  // nobody known: find them
}

TEST_CASE("round_plan: the heard list, cut short past its limit") {
    std::vector<member> ms{responder("a", true), responder("b", false), responder("c", true)};
    auto pl = make_plan(1, decide_acks(1, {}), true, ms);
    CHECK(pl.heard == std::vector<std::string>{"a", "c"});
    CHECK_FALSE(pl.heard_truncated);
    std::vector<member> many;
    for (std::size_t i = 0; i < wire::max_heard + 2; ++i) many.push_back(responder(("n" + std::to_string(i)).c_str(), true));
    auto full = make_plan(1, decide_acks(1, {}), true, many);
    CHECK(full.heard.size() == wire::max_heard);
    CHECK(full.heard_truncated);
}

TEST_CASE("round_plan: warm-up probes: at most 4 per peer, 16 a round, in order") {
    std::vector<std::vector<ip_address>> c(5);
    for (std::size_t p = 0; p < c.size(); ++p)
        for (int i = 0; i < 6; ++i) c[p].push_back(ip(("192.0.2." + std::to_string(10 * p + i + 1)).c_str()));
    auto w = choose_warmups(c);
    REQUIRE(w.size() == 16);
    CHECK(w[0] == ip("192.0.2.1"));
    CHECK(w[3] == ip("192.0.2.4"));
    CHECK(w[4] == ip("192.0.2.11"));
    CHECK(w[15] == ip("192.0.2.34"));
    CHECK(choose_warmups({{}, {ip("192.0.2.9")}}) == std::vector<ip_address>{ip("192.0.2.9")});
}

TEST_CASE("round_plan: a retry's control probe: another LAN before its own, the same family first") {
    const auto v4 = family::v4, v6 = family::v6;
    // Retry on LAN 0, IPv4.
    CHECK(choose_control(0, v4, {}) == std::nullopt);
    CHECK(choose_control(0, v4, {{0, v4}}) == std::nullopt);  // its own path is no candidate
    CHECK(choose_control(0, v4, {{0, v6}}) == 0u);            // only the same LAN's other family
    CHECK(choose_control(0, v4, {{0, v6}, {1, v6}}) == 1u);   // another LAN first
    CHECK(choose_control(0, v4, {{0, v6}, {1, v6}, {1, v4}}) == 2u);  // and there, the same family
    CHECK(choose_control(0, v4, {{1, v4}, {2, v4}}) == 0u);   // ties: the first
    // Retry on LAN 1, IPv6.
    CHECK(choose_control(1, v6, {{0, v4}, {1, v4}, {0, v6}}) == 2u);
    CHECK(choose_control(1, v6, {{1, v4}, {0, v4}}) == 1u);
}
