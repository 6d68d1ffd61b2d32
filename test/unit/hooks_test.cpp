#include "faild/hooks.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

struct world {
    std::vector<lan> lans = {{"eth0", 10, {*prefix::parse("192.0.2.1/24")}, {}},
                             {"eth1", 11, {*prefix::parse("198.51.100.1/24")}, {}}};
    peer_map peers;
    world() {
        peer p;
        p.node_id = "h2";
        p.addresses = {*ip_address::parse("192.0.2.2"), *ip_address::parse("198.51.100.2")};
        peers.emplace("h2", p);
    }
};

}  // namespace

TEST_CASE("hooks: path events, failover, switchback and peer_lost run the program, nothing else does") {
    world w;
    event down("path", severity::warning, "path_down");
    down.kv("peer", "h2").kv("lan", "eth0").kv("family", "v4").kv("reason", "carrier");
    auto c = hook_for(down, "h1", w.lans, w.peers);
    REQUIRE(c);
    CHECK(c->args == std::vector<std::string>{"path_down", "h2", "eth0", "v4"});
    CHECK(c->env == std::vector<std::string>{"FAILD_EVENT=path_down", "FAILD_PEER=h2", "FAILD_LAN=eth0",
                                             "FAILD_FAMILY=v4", "FAILD_NODE_ID=h1", "FAILD_REASON=carrier"});

    event added("route", severity::info, "route_added");
    added.raw("dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1");
    auto f = hook_for(added, "h1", w.lans, w.peers);
    REQUIRE(f);
    CHECK(f->args == std::vector<std::string>{"failover", "h2", "eth0", "v4"});
    CHECK(f->env.back() == "FAILD_ROUTE=192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1");

    event back("route", severity::info, "route_removed");
    back.raw("dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1").kv("reason", "switchback");
    CHECK(hook_for(back, "h1", w.lans, w.peers)->args[0] == "switchback");

    event shutdown_removal("route", severity::info, "route_removed");
    shutdown_removal.raw("dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1").kv("reason", "shutdown");
    CHECK_FALSE(hook_for(shutdown_removal, "h1", w.lans, w.peers));

    event lost("peer", severity::warning, "peer_lost");
    lost.kv("peer", "h2");
    CHECK(hook_for(lost, "h1", w.lans, w.peers)->args == std::vector<std::string>{"peer_lost", "h2", "-", "-"});

    CHECK_FALSE(hook_for(event("peer", severity::info, "peer_seen"), "h1", w.lans, w.peers));
    CHECK_FALSE(hook_for(event("path", severity::info, "notice_sent"), "h1", w.lans, w.peers));
}
