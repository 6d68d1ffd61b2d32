// The log lines of the core's effects: the one place that owns their text.
// Each expected line is the one faild wrote before effects were typed
// (issue 22): operators' scripts and the faildctl events stream read these
// names and fields, so a change here is a change of the log's contract.
#include "faild/daemon/effect_log.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace faild;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }
const path_ref h2_a{"h2", "eth0", family::v4};
const route h2_a_via_b{ip("192.0.2.2"), ip("198.51.100.2"), "eth1", 11, ip("192.0.2.1"), {}};

/// The line of `e`, with its channel and level in front: "path warning event=...".
std::string line(const effect& e) {
    const event ev = to_event(e);
    return ev.module + " " + to_string(ev.level) + " " + ev.text;
}

}  // namespace

TEST_CASE("effect_log: path lines") {
    CHECK(line(fx::path_changed{h2_a, path_state::up, path_state::down, 3, 0, down_reason::missed}) ==
          "path warning event=path_down peer=h2 lan=eth0 family=v4 from=up missed=3 good=0 reason=missed");
    CHECK(line(fx::path_changed{{"h1", "eth0", family::v4}, path_state::up, path_state::down, 3, 0,
                                down_reason::one_way}) ==
          "path warning event=path_down peer=h1 lan=eth0 family=v4 from=up missed=3 good=0 reason=one-way");
    CHECK(line(fx::path_changed{h2_a, path_state::up, path_state::down, 0, 0, down_reason::peer_notice}) ==
          "path warning event=path_down peer=h2 lan=eth0 family=v4 from=up missed=0 good=0 reason=peer-notice");
    CHECK(line(fx::path_changed{h2_a, path_state::up, path_state::down, 0, 0, down_reason::carrier}) ==
          "path warning event=path_down peer=h2 lan=eth0 family=v4 from=up missed=0 good=0 reason=carrier");
    CHECK(line(fx::path_changed{{"h2", "eth1", family::v6}, path_state::init, path_state::up, 0, 3}) ==
          "path info event=path_up peer=h2 lan=eth1 family=v6 from=init missed=0 good=3");
    CHECK(line(fx::path_new{h2_a}) == "path debug event=path_new peer=h2 lan=eth0 family=v4");
    CHECK(line(fx::path_forgotten{h2_a}) ==
          "path info event=path_forgotten peer=h2 lan=eth0 family=v4 reason=\"no advertised address in our prefixes\"");
    CHECK(line(fx::path_suppressed{h2_a, 2500}) ==
          "path warning event=path_suppressed peer=h2 lan=eth0 family=v4 penalty=2500 note=\"flapping: routed around "
          "until the penalty decays\"");
    CHECK(line(fx::path_reused{h2_a, path_state::up}) ==
          "path info event=path_reused peer=h2 lan=eth0 family=v4 state=up");
    CHECK(line(fx::probe_retry{h2_a, 1, ms(12)}) ==
          "path debug event=probe_retry peer=h2 lan=eth0 family=v4 missed=1 timeout_us=12000");
    CHECK(line(fx::miss_held{h2_a, fx::miss_held::why::peer_silent, 2}) ==
          "path info event=miss_held peer=h2 lan=eth0 family=v4 reason=peer_silent owed=2");
}

TEST_CASE("effect_log: notices") {
    CHECK(line(fx::notice_sent{h2_a, "eth1"}) == "path info event=notice_sent peer=h2 lan=eth0 family=v4 via=eth1");
    CHECK(line(fx::notice_received{h2_a}) == "path info event=notice_received peer=h2 lan=eth0 family=v4");
    CHECK(line(fx::notice_refuted{h2_a}) == "path info event=notice_refuted peer=h2 lan=eth0 family=v4");
}

TEST_CASE("effect_log: peer lines") {
    CHECK(line(fx::peer_seen{"h2", "eth0", ip("192.0.2.2")}) == "peer info event=peer_seen peer=h2 lan=eth0 addr=192.0.2.2");
    CHECK(line(fx::peer_restarted{"h2", 10}) == "peer info event=peer_restarted peer=h2 incarnation=10");
    CHECK(line(fx::peer_left{"h2", fx::peer_left::why::bye, "eth1"}) == "peer info event=bye peer=h2 lan=eth1");
    CHECK(line(fx::peer_left{"h2", fx::peer_left::why::bye, "-"}) == "peer info event=bye peer=h2 lan=-");
    CHECK(line(fx::peer_left{"h2", fx::peer_left::why::lost, ""}) == "peer warning event=peer_lost peer=h2");
    CHECK(line(fx::peer_left{"n2", fx::peer_left::why::evicted, ""}) ==
          "peer warning event=peer_evicted peer=n2 reason=\"peer table full\"");
    CHECK(line(fx::bye_refuted{"h2", "eth0"}) ==
          "peer warning event=bye_refuted peer=h2 lan=eth0 note=\"a BYE came, but the peer answers: forged or "
          "replayed? First of its kind; later ones are counted in a line a minute at most\"");
    CHECK(line(fx::address_proven{"h2", ip("192.0.2.2"), "eth0"}) ==
          "peer info event=address_proven peer=h2 addr=192.0.2.2 lan=eth0");
    CHECK(line(fx::claim_refuted{"evil", ip("192.0.2.2"), "h2", "eth0"}) ==
          "peer warning event=claim_refuted peer=evil addr=192.0.2.2 holder=h2 lan=eth0 note=\"first of its kind; "
          "later ones are counted in a line a minute at most\"");
    CHECK(line(fx::claim_refused{"evil", ip("192.0.2.2"), "h2"}) ==
          "peer warning event=claim_refused peer=evil addr=192.0.2.2 holder=h2 note=\"another node proved it first "
          "and still advertises it; first of its kind\"");
    CHECK(line(fx::peer_limit{64, false}) ==
          "peer warning event=peer_limit max_peers=64 note=\"new node ids are refused while every known peer is "
          "proven on two LANs\"");
    CHECK(line(fx::peer_limit{64, true}) ==
          "peer warning event=peer_limit max_peers=64 note=\"new node ids are refused while every known peer has a "
          "path up\"");
    CHECK(line(fx::log_suppressed{80}) ==
          "peer warning event=log_suppressed lines=80 what=peer_seen/peer_evicted note=\"more new node ids than 20 a "
          "second: a flood?\"");
    CHECK(line(fx::node_id_collision{"h1", "eth0", ip("192.0.2.9")}) ==
          "peer error event=node_id_collision node_id=h1 lan=eth0 from=192.0.2.9 hint=\"give each host its own "
          "--node-id\"");
    CHECK(line(fx::incarnation_renewed{8, 7}) ==
          "daemon info event=incarnation_renewed incarnation=8 previous=7 reason=\"round sequence numbers used up\"");
}

TEST_CASE("effect_log: drops, and the count lines of everything logged like them") {
    CHECK(line(fx::datagram_dropped{"too_short", "eth0", ip("192.0.2.9")}) ==
          "wire warning event=drop reason=too_short lan=eth0 from=192.0.2.9 note=\"first of its kind; later ones are "
          "counted in a line a minute at most\"");
    CHECK(line(fx::repeated{"wire", severity::warning, "drop", "too_short", 2, 61, std::string("eth0"),
                            ip("192.0.2.9")}) ==
          "wire warning event=drop reason=too_short count=2 seconds=61 lan=eth0 from=192.0.2.9 note=\"since the last "
          "line; lan and from: the latest\"");
    CHECK(line(fx::repeated{"peer", severity::error, "node_id_collision", "", 2, 61, std::string("eth0"),
                            ip("192.0.2.9")}) ==
          "peer error event=node_id_collision count=2 seconds=61 lan=eth0 from=192.0.2.9 note=\"since the last line; "
          "lan and from: the latest\"");
    // The LAN it came in on is gone: not named.
    CHECK(line(fx::repeated{"wire", severity::warning, "drop", "too_short", 1, 62, std::nullopt, ip("203.0.113.9")}) ==
          "wire warning event=drop reason=too_short count=1 seconds=62 from=203.0.113.9 note=\"since the last line; "
          "lan and from: the latest\"");
    CHECK(line(fx::repeated{"peer", severity::warning, "peer_limit", "", 5, 60, std::nullopt, std::nullopt}) ==
          "peer warning event=peer_limit count=5 seconds=60 note=\"since the last line\"");
}

TEST_CASE("effect_log: route lines") {
    using op = fx::route_changed::op;
    CHECK(line(fx::route_changed{op::added, h2_a_via_b, sync_reason::none, ""}) ==
          "route info event=route_added dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1");
    CHECK(line(fx::route_changed{op::added, h2_a_via_b, sync_reason::none, "h2"}) ==
          "route info event=route_added dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1 peer=h2");
    CHECK(line(fx::route_changed{op::replaced, h2_a_via_b, sync_reason::none, ""}) ==
          "route info event=route_replaced dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1");
    CHECK(line(fx::route_changed{op::removed, h2_a_via_b, sync_reason::switchback, "h2"}) ==
          "route info event=route_removed dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1 peer=h2 "
          "reason=switchback");
    CHECK(line(fx::route_changed{op::removed, h2_a_via_b, sync_reason::stale, ""}) ==
          "route info event=route_removed dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1 reason=stale");
    CHECK(line(fx::route_changed{op::restored, h2_a_via_b, sync_reason::none, ""}) ==
          "route warning event=route_restored dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1 note=\"a faild "
          "route was removed by something else; put back\"");
    const route v6{ip("2001:db8:a::5"), ip("fe80::b1"), "eth1", 11, ip("2001:db8:a::1"), {}};
    CHECK(line(fx::route_changed{op::added, v6, sync_reason::none, ""}) ==
          "route info event=route_added dst=2001:db8:a::5/128 via=fe80::b1 dev=eth1 src=2001:db8:a::1");
    CHECK(line(fx::route_failed{fx::route_failed::op::add, h2_a_via_b, "Network is unreachable"}) ==
          "route error event=route_failed op=add dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1 "
          "error=\"Network is unreachable\"");
    CHECK(line(fx::route_failed{fx::route_failed::op::remove, h2_a_via_b, "no such route"}) ==
          "route error event=route_failed op=remove dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1 "
          "error=\"no such route\"");
    CHECK(line(fx::route_failed{fx::route_failed::op::replace, h2_a_via_b, "route exists (not faild's)"}) ==
          "route error event=route_failed op=replace dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1 "
          "error=\"route exists (not faild's)\"");
    CHECK(line(fx::routes_adopted{3, ms(500)}) == "route info event=routes_adopted count=3 for=0.5");
    CHECK(line(fx::route_table_unreadable{"netlink: Permission denied"}) ==
          "route error event=route_table_unreadable error=\"netlink: Permission denied\"");
}

TEST_CASE("effect_log: the silence warning says why and what to check") {
    const std::string firewall =
        "check the firewall on every host: UDP port 7793 in and out on every LAN, IPv4 broadcast and unicast, IPv6 "
        "to ff02::fa1d and unicast, and nothing between the hosts that lowers the TTL (probes arrive with 255 or are "
        "dropped)";
    CHECK(line(fx::no_peer_heard{ms(10'000), false, 7793, "eth0,eth1"}) ==
          "daemon warning event=no_peer_heard for=10 requestor=no port=7793 lans=eth0,eth1 hint=\"this node only "
          "answers (requestor = no) and no requestor's INQ arrived: is any host on these LANs a requestor (requestor "
          "= yes in faild.conf, or -r)? Else " + firewall + "\"");
    CHECK(line(fx::no_peer_heard{ms(180'000), true, 7793, "eth0"}) ==
          "daemon warning event=no_peer_heard for=180 requestor=yes port=7793 lans=eth0 hint=\"no peer answered our "
          "INQs or sent its own: is faild running on the other hosts, with the same port and key-file? " + firewall +
          "\"");
    CHECK(line(fx::peer_heard{1}) == "daemon info event=peer_heard peers=1 note=\"the silence is over\"");
}

TEST_CASE("effect_log: every kind of effect has its line, and the name is the first field") {
    // One value of each alternative: a kind added to effects.hpp without a
    // line (or with an empty name) fails here.
    effect_list all = {fx::path_new{h2_a},
                       fx::path_changed{},
                       fx::path_forgotten{h2_a},
                       fx::path_suppressed{h2_a, 1},
                       fx::path_reused{h2_a, path_state::up},
                       fx::probe_retry{h2_a, 1, ms(1)},
                       fx::miss_held{h2_a, fx::miss_held::why::peer_silent, 1},
                       fx::notice_sent{h2_a, "eth1"},
                       fx::notice_received{h2_a},
                       fx::notice_refuted{h2_a},
                       fx::peer_seen{"h2", "eth0", ip("192.0.2.2")},
                       fx::peer_restarted{"h2", 1},
                       fx::peer_left{"h2", fx::peer_left::why::lost, ""},
                       fx::bye_refuted{"h2", "eth0"},
                       fx::address_proven{"h2", ip("192.0.2.2"), "eth0"},
                       fx::claim_refuted{"x", ip("192.0.2.2"), "h2", "eth0"},
                       fx::claim_refused{"x", ip("192.0.2.2"), "h2"},
                       fx::peer_limit{1, false},
                       fx::log_suppressed{1},
                       fx::node_id_collision{"h1", "eth0", ip("192.0.2.9")},
                       fx::incarnation_renewed{2, 1},
                       fx::datagram_dropped{"replay", "eth0", ip("192.0.2.9")},
                       fx::repeated{"wire", severity::warning, "drop", "replay", 1, 60, std::nullopt, std::nullopt},
                       fx::route_changed{fx::route_changed::op::added, h2_a_via_b, sync_reason::none, ""},
                       fx::route_failed{fx::route_failed::op::add, h2_a_via_b, "x"},
                       fx::routes_adopted{1, ms(500)},
                       fx::route_table_unreadable{"x"},
                       fx::no_peer_heard{ms(10'000), true, 7793, "eth0"},
                       fx::peer_heard{1}};
    CHECK(all.size() == std::variant_size_v<effect>);
    for (std::size_t i = 0; i < all.size(); ++i) {
        CAPTURE(i);
        CHECK(all[i].index() == i);
        const event e = to_event(all[i]);
        CHECK_FALSE(e.name.empty());
        CHECK(e.text.rfind("event=" + e.name, 0) == 0);
    }
}
