#include "faild/core/peer_upkeep.hpp"

#include <doctest/doctest.h>

using namespace faild;
namespace up = faild::peer_upkeep;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

/// A peer last heard at `seen` ms, with a path on each LAN in `lans`, up or not.
peer make(const char* id, long long seen, std::vector<std::size_t> lans, bool is_up) {
    peer p;
    p.node_id = id;
    p.last_seen = ms(seen);
    for (std::size_t li : lans) {
        path pa(path_tracker(1, 1, ms(0)));
        if (is_up) pa.tracker.good(ms(1));
        pa.hop = ip(li == 0 ? "192.0.2.2" : "198.51.100.2");
        p.paths.emplace(path_key{li, family::v4}, pa);
    }
    return p;
}

bool all_proven(const peer&, path_key, const path&) { return true; }
bool none_proven(const peer&, path_key, const path&) { return false; }

}  // namespace

TEST_CASE("peer_upkeep: ids per source count the peers first heard from it on that LAN") {
    peer_map peers;
    for (const char* id : {"a", "b", "c"}) {
        peers[id] = make(id, 0, {0}, false);
        peers[id].first_lan = 0;
        peers[id].first_source = ip("192.0.2.9");
    }
    peers["c"].first_lan = 1;
    CHECK(up::ids_from(peers, 0, ip("192.0.2.9")) == 2);
    CHECK(up::ids_from(peers, 1, ip("192.0.2.9")) == 1);
    CHECK(up::ids_from(peers, 0, ip("192.0.2.8")) == 0);
}

TEST_CASE("peer_upkeep: sheltered: with keys any peer up, without only one up on two LANs with proven hops") {
    const peer one = make("one", 0, {0}, true), two = make("two", 0, {0, 1}, true), down = make("d", 0, {0, 1}, false);
    CHECK(up::sheltered(one, true, none_proven));
    CHECK_FALSE(up::sheltered(down, true, all_proven));
    CHECK_FALSE(up::sheltered(one, false, all_proven));
    CHECK(up::sheltered(two, false, all_proven));
    CHECK_FALSE(up::sheltered(two, false, none_proven));
    CHECK_FALSE(up::sheltered(down, false, all_proven));
}

TEST_CASE("peer_upkeep: the victim: not sheltered, without a path up first, then the least recently heard") {
    peer_map peers;
    peers["old_up"] = make("old_up", 10, {0}, true);
    peers["new_down"] = make("new_down", 50, {0}, false);
    peers["old_down"] = make("old_down", 20, {0}, false);
    peers["safe"] = make("safe", 0, {0}, true);
    auto shelter = [](const peer& p) { return p.node_id == "safe"; };
    CHECK(up::eviction_victim(peers, shelter)->first == "old_down");
    peers.erase("old_down");
    CHECK(up::eviction_victim(peers, shelter)->first == "new_down");
    peers.erase("new_down");
    CHECK(up::eviction_victim(peers, shelter)->first == "old_up");
    peers.erase("old_up");
    CHECK(up::eviction_victim(peers, shelter) == peers.end());
}

TEST_CASE("peer_upkeep: lost: all paths down for forget_after, or silent for forget_after and two intervals") {
    peer p = make("p", 0, {0, 1}, false);
    p.paths.at({0, family::v4}).tracker.force_down(ms(5), down_reason::carrier);
    p.paths.at({1, family::v4}).tracker.force_down(ms(5), down_reason::carrier);
    p.last_seen = ms(1000);
    CHECK_FALSE(up::lost(p, ms(1000), ms(60'000), ms(100)));
    CHECK(p.unreachable_since == ms(1000));
    CHECK_FALSE(up::lost(p, ms(60'999), ms(60'000), ms(100)));
    CHECK(up::lost(p, ms(61'000), ms(60'000), ms(100)));
    // One path up again: it is reachable, and only silence loses it.
    peer q = make("q", 0, {0}, true);
    q.unreachable_since = ms(3);
    CHECK_FALSE(up::lost(q, ms(60'199), ms(60'000), ms(100)));
    CHECK(q.unreachable_since == timestamp(-1));
    CHECK(up::lost(q, ms(60'200), ms(60'000), ms(100)));
}

TEST_CASE("peer_upkeep: tombstones keep the highest incarnation of the newest forgotten peers") {
    up::tombstones t(2);
    t.bury("a", 5);
    t.bury("a", 3);
    CHECK(t.find("a") == 5u);
    t.bury("b", 1);
    t.bury("c", 1);  // a, the oldest, goes
    CHECK_FALSE(t.find("a"));
    CHECK(t.find("b") == 1u);
    CHECK(t.find("c") == 1u);
    CHECK(t.size() == 2);
}
