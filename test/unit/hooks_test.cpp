#include "faild/core/hooks.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace faild;

namespace {

struct world {
    std::vector<lan> lans = {{"eth0", 10, {*prefix::parse("192.0.2.1/24")}, {}},
                             {"eth1", 11, {*prefix::parse("198.51.100.1/24")}, {}}};
    peer_map peers;
    address_book proofs;
    world() {
        peer p;
        p.node_id = "h2";
        p.addresses = {*ip_address::parse("192.0.2.2"), *ip_address::parse("198.51.100.2")};
        peers.emplace("h2", p);
    }
};

route r(const char* dst, const char* via, const char* dev, int ifindex, const char* src) {
    return {*ip_address::parse(dst), *ip_address::parse(via), dev, ifindex, *ip_address::parse(src), {}};
}
const route h2_a_via_b = r("192.0.2.2", "198.51.100.2", "eth1", 11, "192.0.2.1");

effect path_down(const char* peer, down_reason why) {
    fx::path_changed c{{peer, "eth0", family::v4}, path_state::up, path_state::down, 3, 0, why};
    return c;
}
effect path_up(const char* peer) {
    return fx::path_changed{{peer, "eth0", family::v4}, path_state::down, path_state::up, 0, 3};
}
effect route_change(fx::route_changed::op what, sync_reason why, const char* peer) {
    return fx::route_changed{what, h2_a_via_b, why, peer};
}
effect lost(const char* peer) { return fx::peer_left{peer, fx::peer_left::why::lost, ""}; }
using op = fx::route_changed::op;

}  // namespace

TEST_CASE("hooks: path events, failover, switchback and peer_lost run the program, nothing else does") {
    world w;
    auto c = hook_for(path_down("h2", down_reason::carrier), "h1", w.lans, w.peers, w.proofs);
    REQUIRE(c);
    CHECK(c->args == std::vector<std::string>{"path_down", "h2", "eth0", "v4"});
    CHECK(c->env == std::vector<std::string>{"FAILD_EVENT=path_down", "FAILD_PEER=h2", "FAILD_LAN=eth0",
                                             "FAILD_FAMILY=v4", "FAILD_NODE_ID=h1", "FAILD_REASON=carrier"});

    auto f = hook_for(route_change(op::added, sync_reason::none, "h2"), "h1", w.lans, w.peers, w.proofs);
    REQUIRE(f);
    CHECK(f->args == std::vector<std::string>{"failover", "h2", "eth0", "v4"});
    CHECK(f->env.back() == "FAILD_ROUTE=192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1");

    CHECK(hook_for(route_change(op::removed, sync_reason::switchback, "h2"), "h1", w.lans, w.peers, w.proofs)->args[0] ==
          "switchback");
    CHECK_FALSE(hook_for(route_change(op::removed, sync_reason::shutdown, ""), "h1", w.lans, w.peers, w.proofs));
    CHECK_FALSE(hook_for(route_change(op::restored, sync_reason::none, "h2"), "h1", w.lans, w.peers, w.proofs));  // a repair
    CHECK_FALSE(hook_for(route_change(op::replaced, sync_reason::none, "h2"), "h1", w.lans, w.peers, w.proofs));

    CHECK(hook_for(lost("h2"), "h1", w.lans, w.peers, w.proofs)->args ==
          std::vector<std::string>{"peer_lost", "h2", "-", "-"});
    // A checked BYE or an eviction is no peer_lost.
    CHECK_FALSE(hook_for(fx::peer_left{"h2", fx::peer_left::why::bye, "eth0"}, "h1", w.lans, w.peers, w.proofs));
    CHECK_FALSE(hook_for(fx::peer_left{"h2", fx::peer_left::why::evicted, ""}, "h1", w.lans, w.peers, w.proofs));

    CHECK_FALSE(hook_for(fx::peer_seen{"h2", "eth0", *ip_address::parse("192.0.2.2")}, "h1", w.lans, w.peers, w.proofs));
    CHECK_FALSE(hook_for(fx::notice_sent{{"h2", "eth0", family::v4}, "eth1"}, "h1", w.lans, w.peers, w.proofs));
}

TEST_CASE("hooks: the failover hook names the peer the route plan chose, not another claimant of the address") {
    world w;
    // h3 claims h2's address too (a misconfiguration, or a forgery). The
    // plan chose h2 for the route, and the route event says so.
    peer h3;
    h3.node_id = "h3";
    h3.addresses = {*ip_address::parse("192.0.2.2"), *ip_address::parse("198.51.100.3")};
    w.peers.emplace("h3", h3);
    auto f = hook_for(route_change(op::added, sync_reason::none, "h2"), "h1", w.lans, w.peers, w.proofs);
    REQUIRE(f);
    CHECK(f->args == std::vector<std::string>{"failover", "h2", "eth0", "v4"});
    CHECK(std::count(f->env.begin(), f->env.end(), "FAILD_PEER=h2") == 1);
    auto s = hook_for(route_change(op::removed, sync_reason::switchback, "h2"), "h1", w.lans, w.peers, w.proofs);
    REQUIRE(s);
    CHECK(s->args == std::vector<std::string>{"switchback", "h2", "eth0", "v4"});
}

TEST_CASE("hooks: a route removed as replanned or peer_gone says so (event route_removed, FAILD_REASON)") {
    world w;
    for (sync_reason why : {sync_reason::replanned, sync_reason::peer_gone}) {
        CAPTURE(why);
        auto c = hook_for(route_change(op::removed, why, "h2"), "h1", w.lans, w.peers, w.proofs);
        REQUIRE(c);
        CHECK(c->args == std::vector<std::string>{"route_removed", "h2", "eth0", "v4"});
        CHECK(c->env == std::vector<std::string>{"FAILD_EVENT=route_removed", "FAILD_PEER=h2", "FAILD_LAN=eth0",
                                                 "FAILD_FAMILY=v4", "FAILD_NODE_ID=h1",
                                                 std::string("FAILD_REASON=") + to_string(why),
                                                 "FAILD_ROUTE=192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1"});
    }
    for (sync_reason why : {sync_reason::stale, sync_reason::shutdown}) {  // faild's own housekeeping: no hook
        CHECK_FALSE(hook_for(route_change(op::removed, why, ""), "h1", w.lans, w.peers, w.proofs));
    }
}

TEST_CASE("hooks: a proven peer has had a path up through a proven next hop, and its events and every route event are important") {
    world w;
    peer& h2 = w.peers.at("h2");
    h2.paths.emplace(path_key{0, family::v4}, path(path_tracker(3, 3, ms(0))));
    h2.paths.at({0, family::v4}).hop = *ip_address::parse("192.0.2.2");
    CHECK_FALSE(proven_peer(h2, w.lans, w.proofs));  // heard, never up: unproven
    const effect down = path_down("h2", down_reason::missed);
    CHECK_FALSE(hook_for(down, "h1", w.lans, w.peers, w.proofs)->important);
    h2.paths.at({0, family::v4}).was_up = true;
    CHECK_FALSE(proven_peer(h2, w.lans, w.proofs));  // up, but on a node id's word: a forged peer can be
    w.proofs.record("h2", *ip_address::parse("192.0.2.2"), "eth0", ms(0), [](const std::string&) { return true; });
    CHECK(proven_peer(h2, w.lans, w.proofs));
    CHECK(hook_for(down, "h1", w.lans, w.peers, w.proofs)->important);
    CHECK_FALSE(hook_for(path_down("x9", down_reason::missed), "h1", w.lans, w.peers, w.proofs)->important);  // not in the table
    CHECK(hook_for(route_change(op::added, sync_reason::none, "h2"), "h1", w.lans, w.peers, w.proofs)->important);
}

TEST_CASE("hook_planner: a proven peer's peer_lost is important although the peer has left the table") {
    world w;
    hook_planner plan;
    auto up = w.peers.at("h2");
    up.paths.emplace(path_key{0, family::v4}, path(path_tracker(3, 3, ms(0))));
    up.paths.at({0, family::v4}).was_up = true;
    up.paths.at({0, family::v4}).hop = *ip_address::parse("192.0.2.2");
    w.proofs.record("h2", *ip_address::parse("192.0.2.2"), "eth0", ms(0), [](const std::string&) { return true; });
    w.peers["h2"] = up;
    CHECK(plan.plan(path_up("h2"), "h1", w.lans, w.peers, w.proofs)->important);
    CHECK(plan.remembered() == 1);
    w.peers.erase("h2");  // the engine forgot it, then said so
    auto c = plan.plan(lost("h2"), "h1", w.lans, w.peers, w.proofs);
    REQUIRE(c);
    CHECK(c->important);
    CHECK(plan.remembered() == 0);
    // An unproven peer's peer_lost is not.
    CHECK_FALSE(plan.plan(lost("x9"), "h1", w.lans, w.peers, w.proofs)->important);
}

namespace {

hook_call call(const char* what, bool important) {
    hook_call c;
    c.args = {what};
    c.important = important;
    return c;
}

}  // namespace

TEST_CASE("hook_queue: calls about unproven peers hold at most half the slots and never wait, important ones wait") {
    hook_queue q;  // 8 running, 4 of them unimportant, 64 waiting
    using r = hook_queue::offer_result;
    std::vector<std::string> started;
    auto start_all = [&] {
        while (auto c = q.next()) started.push_back(c->args[0]);
    };
    // A flood of events about forged node ids: 4 run, the rest are dropped.
    int dropped = 0;
    for (int i = 0; i < 100; ++i) {
        if (q.offer(call("forged", false)) == r::busy) ++dropped;
        start_all();
    }
    CHECK(started.size() == 4);
    CHECK(dropped == 96);
    // The real failover and the rest of its story: they run at once.
    for (const char* what : {"path_down", "failover", "peer_lost", "path_down2"}) {
        CHECK(q.offer(call(what, true)) == r::accepted);
        start_all();
    }
    CHECK(started.size() == 8);
    CHECK(q.running() == 8);
    // Every slot busy: important calls wait, in order, the others are dropped.
    CHECK(q.offer(call("switchback", true)) == r::accepted);
    CHECK(q.offer(call("path_up", true)) == r::accepted);
    CHECK(q.offer(call("forged", false)) == r::busy);
    start_all();
    CHECK(q.waiting() == 2);
    q.finished(false);  // a forged one ends: the oldest important call takes its slot
    start_all();
    CHECK(started.back() == "switchback");
    q.finished(true);
    start_all();
    CHECK(started.back() == "path_up");
    CHECK(q.waiting() == 0);
    // With 3 unimportant running and a free slot, an unimportant call may run again.
    q.finished(true);
    CHECK(q.offer(call("forged", false)) == r::accepted);
    start_all();
    CHECK(started.back() == "forged");
    CHECK(q.running() == 8);
}

TEST_CASE("hook_queue: important calls are dropped only when that many important calls wait already") {
    hook_queue q(hook_queue::limits{2, 1, 3});
    using r = hook_queue::offer_result;
    for (int i = 0; i < 2; ++i) {
        CHECK(q.offer(call("a", true)) == r::accepted);
        CHECK(q.next());
    }
    for (int i = 0; i < 3; ++i) CHECK(q.offer(call("w", true)) == r::accepted);
    CHECK_FALSE(q.next());  // no free slot
    CHECK(q.offer(call("x", true)) == r::queue_full);
    CHECK(q.offer(call("u", false)) == r::busy);
    q.finished(true);
    REQUIRE(q.next());
    CHECK(q.waiting() == 2);
}

TEST_CASE("hooks: output goes into the log as valid UTF-8: other bytes and control characters escaped") {
    CHECK(printable_output("ok\n") == "ok\n");
    CHECK(printable_output("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECK(printable_output("caf\xe9") == "caf\\xe9");                // Latin-1, not UTF-8
    CHECK(printable_output("\xff\xfe") == "\\xff\\xfe");
    CHECK(printable_output("\xc3") == "\\xc3");                       // cut in the middle of a sequence
    CHECK(printable_output("\xc0\xaf") == "\\xc0\\xaf");               // overlong '/'
    CHECK(printable_output("\xed\xa0\x80") == "\\xed\\xa0\\x80");       // a surrogate
    CHECK(printable_output(std::string("a\0b\x1b[31m\tc", 10)) == "a\\x00b\\x1b[31m\tc");
}
