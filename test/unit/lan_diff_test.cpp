// DOC: lan_diff_test — choosing the LANs at start, and what a fresh read of
// the links changes for them: gone, back, carrier, addresses, LANs dropped
// from the end, new interfaces added (only without an -i list).
#include "faild/core/lan_diff.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

interface_address addr(const char* text, bool tentative = false, bool dadfailed = false) {
    return {*prefix::parse(text), tentative, dadfailed};
}

interface_info link(const std::string& name, int ifindex, std::vector<interface_address> addrs, bool running = true) {
    interface_info i;
    i.name = name;
    i.ifindex = ifindex;
    i.up = true;
    i.running = running;
    i.addrs = std::move(addrs);
    return i;
}

const interface_info eth0 = link("eth0", 2, {addr("192.0.2.1/24"), addr("fe80::1/64")});
const interface_info eth1 = link("eth1", 3, {addr("198.51.100.1/24")});

std::vector<lan> lans_of(const std::vector<interface_info>& links) {
    std::vector<lan> out;
    for (const auto& l : links) out.push_back(to_lan(l));
    return out;
}

const paths_on_lan no_paths = [](std::size_t) { return false; };

std::vector<std::string> names(const std::vector<interface_info>& links) {
    std::vector<std::string> out;
    for (const auto& l : links) out.push_back(l.name);
    return out;
}

}  // namespace

TEST_CASE("lan_diff: eligible means up, not loopback, with IPv4 or a global IPv6 address") {
    CHECK(eligible(eth0));
    auto down = eth0;
    down.up = false;
    CHECK_FALSE(eligible(down));
    auto lo = link("lo", 1, {addr("127.0.0.1/8")});
    lo.loopback = true;
    CHECK_FALSE(eligible(lo));
    CHECK_FALSE(eligible(link("eth2", 4, {addr("fe80::2/64")})));  // link-local only
    CHECK(eligible(link("eth2", 4, {addr("2001:db8::2/64", true)})));  // tentative counts
    CHECK(eligible(link("eth2", 4, {addr("192.0.2.9/24")}, false)));   // no carrier: still a LAN
}

TEST_CASE("lan_diff: select_interfaces takes the -i list in its order, else the eligible ones by ifindex") {
    auto lo = link("lo", 1, {addr("127.0.0.1/8")});
    lo.loopback = true;
    auto bare = link("eth9", 9, {});
    std::string error;
    CHECK(names(select_interfaces({}, {eth1, lo, bare, eth0}, error)) == std::vector<std::string>{"eth0", "eth1"});
    CHECK(error == "");
    CHECK(names(select_interfaces({"eth1", "eth9"}, {eth0, eth1, bare}, error)) ==
          std::vector<std::string>{"eth1", "eth9"});  // named: taken even without an address
    CHECK(select_interfaces({"eth1", "eth7"}, {eth0, eth1}, error).empty());
    CHECK(error == "interface 'eth7' does not exist");
    CHECK(select_interfaces({"lo"}, {lo}, error).empty());
    CHECK(error == "interface 'lo' is a loopback interface");
    CHECK(select_interfaces({}, {lo, bare}, error).empty());
    CHECK(error == "no interface to monitor: none is up, not loopback, with an IPv4 or global IPv6 address");
}

TEST_CASE("lan_diff: to_lan keeps only usable addresses, and a tentative link-local leaves IPv6 pending") {
    auto i = link("eth0", 2,
                  {addr("192.0.2.1/24"), addr("2001:db8::1/64", true), addr("2001:db8::2/64", false, true),
                   addr("2001:db8::3/64"), addr("fe80::1/64", true)});
    lan l = to_lan(i);
    CHECK(address_list(l) == "192.0.2.1/24,2001:db8::3/64");
    CHECK_FALSE(l.link_local);
    CHECK(l.v6_pending);
    CHECK(l.carrier);
    i.addrs.push_back(addr("fe80::2/64"));
    l = to_lan(i);
    CHECK(address_list(l) == "192.0.2.1/24,2001:db8::3/64,fe80::2");
    CHECK_FALSE(l.v6_pending);
    i.running = false;
    CHECK_FALSE(to_lan(i).carrier);
    CHECK(address_list(to_lan(link("eth3", 5, {}))) == "none");
}

TEST_CASE("lan_diff: nothing changed, nothing to do") {
    auto d = diff_lans(lans_of({eth0, eth1}), {true, true}, {eth1, eth0}, {}, no_paths);
    REQUIRE(d.lans.size() == 2);
    for (const auto& u : d.lans) {
        CHECK(u.present);
        CHECK_FALSE(u.gone);
        CHECK_FALSE(u.back);
        CHECK_FALSE(u.carrier_changed);
        CHECK_FALSE(u.addresses_changed);
        CHECK_FALSE(u.changed);
    }
    CHECK(d.kept == 2);
    CHECK(d.added.empty());
}

TEST_CASE("lan_diff: carrier lost, then an address gone, each seen on its own") {
    auto cut = eth1;
    cut.running = false;
    auto d = diff_lans(lans_of({eth0, eth1}), {true, true}, {eth0, cut}, {}, no_paths);
    CHECK_FALSE(d.lans[0].changed);
    CHECK(d.lans[1].carrier_changed);
    CHECK_FALSE(d.lans[1].now.carrier);
    CHECK_FALSE(d.lans[1].addresses_changed);
    CHECK(d.lans[1].changed);

    auto fewer = eth0;
    fewer.addrs.pop_back();  // fe80::1 gone
    d = diff_lans(lans_of({eth0, eth1}), {true, true}, {fewer, eth1}, {}, no_paths);
    CHECK(d.lans[0].addresses_changed);
    CHECK_FALSE(d.lans[0].now.link_local);
    CHECK_FALSE(d.lans[0].carrier_changed);
    CHECK(d.lans[0].changed);
}

TEST_CASE("lan_diff: an interface gone keeps its LAN (no carrier, no address), once, and is back under a new ifindex") {
    auto lans = lans_of({eth0, eth1});
    auto d = diff_lans(lans, {true, true}, {eth0}, {false, 2}, no_paths);
    const lan_update& gone = d.lans[1];
    CHECK(gone.gone);
    CHECK_FALSE(gone.present);
    CHECK_FALSE(gone.now.carrier);
    CHECK(gone.now.addrs.empty());
    CHECK(gone.now.name == "eth1");
    CHECK(gone.now.ifindex == 3);
    CHECK(gone.addresses_changed);
    CHECK(gone.changed);
    CHECK(d.kept == 2);  // there at start: never dropped

    lans[1] = gone.now;
    d = diff_lans(lans, {true, false}, {eth0}, {}, no_paths);
    CHECK_FALSE(d.lans[1].gone);  // said once
    CHECK_FALSE(d.lans[1].changed);

    auto recreated = eth1;
    recreated.ifindex = 7;
    d = diff_lans(lans, {true, false}, {eth0, recreated}, {}, no_paths);
    CHECK(d.lans[1].back);
    CHECK(d.lans[1].present);
    CHECK(d.lans[1].now.ifindex == 7);
    CHECK(d.lans[1].carrier_changed);
    CHECK(d.lans[1].changed);

    // Present all along, but under a new ifindex: back too (new sockets).
    d = diff_lans(lans_of({eth0, eth1}), {true, true}, {eth0, recreated}, {}, no_paths);
    CHECK(d.lans[1].back);
    CHECK_FALSE(d.lans[1].gone);
}

TEST_CASE("lan_diff: new eligible interfaces are added in the order read, only without an -i list") {
    auto eth2 = link("eth2", 4, {addr("203.0.113.1/24")});
    auto bare = link("eth3", 5, {});
    auto lans = lans_of({eth0});
    auto d = diff_lans(lans, {true}, {eth2, eth0, bare, eth1}, {false, 1}, no_paths);
    CHECK(names(d.added) == std::vector<std::string>{"eth2", "eth1"});
    d = diff_lans(lans, {true}, {eth2, eth0, eth1}, {true, 1}, no_paths);
    CHECK(d.added.empty());
}

TEST_CASE("lan_diff: LANs added while running go from the end once gone, unless a peer has a path there") {
    auto eth2 = link("eth2", 4, {addr("203.0.113.1/24")});
    auto eth3 = link("eth3", 5, {addr("203.0.113.129/25")});
    auto lans = lans_of({eth0, eth1, eth2, eth3});  // eth2 and eth3 came while running
    const lan_rules rules{false, 2};

    // Both gone, no paths: both go.
    auto d = diff_lans(lans, {true, true, true, true}, {eth0, eth1}, rules, no_paths);
    CHECK(d.kept == 2);
    CHECK(d.lans[2].gone);
    CHECK(d.lans[3].gone);

    // eth3 gone, eth2 still there: eth3 goes, eth2 stays.
    d = diff_lans(lans, {true, true, true, true}, {eth0, eth1, eth2}, rules, no_paths);
    CHECK(d.kept == 3);

    // eth2 gone, eth3 still there: nothing goes (only from the end).
    d = diff_lans(lans, {true, true, true, true}, {eth0, eth1, eth3}, rules, no_paths);
    CHECK(d.kept == 4);

    // Both gone, a peer still has a path on eth3: nothing goes.
    d = diff_lans(lans, {true, true, true, true}, {eth0, eth1}, rules, [](std::size_t li) { return li == 3; });
    CHECK(d.kept == 4);

    // ... on eth2: eth3 goes, eth2 stays.
    d = diff_lans(lans, {true, true, true, true}, {eth0, eth1}, rules, [](std::size_t li) { return li == 2; });
    CHECK(d.kept == 3);

    // With an -i list nothing is ever dropped.
    d = diff_lans(lans, {true, true, true, true}, {eth0, eth1}, {true, 2}, no_paths);
    CHECK(d.kept == 4);

    // Gone at start (eth1 of two startup LANs): kept.
    d = diff_lans(lans_of({eth0, eth1}), {true, true}, {eth0}, rules, no_paths);
    CHECK(d.kept == 2);
}

TEST_CASE("lan_diff: droppable asks about the last LAN only") {
    const lan_rules rules{false, 1};
    int asked = -1;
    auto paths = [&](std::size_t li) {
        asked = int(li);
        return false;
    };
    CHECK(droppable(3, {true, true, false}, rules, paths));
    CHECK(asked == 2);
    CHECK_FALSE(droppable(3, {true, false, true}, rules, paths));
    CHECK_FALSE(droppable(1, {false}, rules, paths));  // a startup LAN
    CHECK_FALSE(droppable(3, {true, false}, rules, paths));  // no record of the third
    CHECK_FALSE(droppable(2, {true, false}, {true, 1}, paths));
}
