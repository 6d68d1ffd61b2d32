// DOC: fake_route_table_test — the route-table contract on the in-memory
// table, then its test hooks (injected failures, counters, dry-run log).
#include "platform/fake/fake_route_table.hpp"

#include "unit/route_table_contract.hpp"

#include <doctest/doctest.h>

using faild::platform::fake_route_table;

namespace {

contract::environment fake_environment(fake_route_table& table) {
    contract::environment env;
    env.a = {"eth0", 2};
    env.b = {"eth1", 3};
    env.add_foreign = [&table](const faild::route& r) { table.add_foreign(r); };
    env.foreign_present = [&table](const faild::route& r) { return table.has_foreign(r.dst); };
    return env;
}

}  // namespace

TEST_CASE("fake_route_table: the route-table contract") {
    fake_route_table table;
    contract::check_route_table_contract(table, fake_environment(table));
}

TEST_CASE("fake_route_table: fail_next fails exactly the next write, changing nothing") {
    fake_route_table table;
    auto env = fake_environment(table);
    auto r = contract::make(contract::peer_a_v4, contract::peer_b_v4, env.b, contract::our_a_v4);

    table.fail_next("Network is unreachable");
    CHECK(table.add(r).error == "Network is unreachable");
    CHECK(contract::listed(table) == "");
    CHECK(table.add(r).ok());

    table.fail_next("Operation not permitted");
    CHECK(table.remove(r).error == "Operation not permitted");
    CHECK(contract::listed(table) == contract::show(r));
    CHECK(table.remove(r).ok());
}

TEST_CASE("fake_route_table: fail_next_list fails the next list only") {
    fake_route_table table;
    table.fail_next_list("netlink: Permission denied");
    std::string error;
    CHECK_FALSE(table.list(error));
    CHECK(error == "netlink: Permission denied");
    error.clear();
    CHECK(table.list(error));
    CHECK(error == "");
}

TEST_CASE("fake_route_table: operations counts every write, failed ones included") {
    fake_route_table table;
    auto env = fake_environment(table);
    auto r = contract::make(contract::peer_a_v4, contract::peer_b_v4, env.b, contract::our_a_v4);
    CHECK(table.operations() == 0);
    table.add(r);
    table.add(r);  // fails: route exists
    table.replace(r);
    table.remove(r);
    table.remove(r);  // fails: no such route
    CHECK(table.operations() == 5);
    std::string error;
    table.list(error);
    CHECK(table.operations() == 5);
    CHECK(table.lists() == 1);
}

TEST_CASE("fake_route_table: a dry run logs every applied change as key=value") {
    std::vector<std::string> lines;
    fake_route_table table([&lines](const std::string& line) { lines.push_back(line); });
    auto env = fake_environment(table);
    auto r = contract::make(contract::peer_a_v4, contract::peer_b_v4, env.b, contract::our_a_v4);
    auto moved = contract::make(contract::peer_a_v4, contract::other_b_v4, env.b, contract::our_a_v4);

    CHECK(table.add(r).ok());
    CHECK_FALSE(table.add(r).ok());  // refused: not a change, not logged
    CHECK(table.replace(moved).ok());
    CHECK(table.remove(r).ok());
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "op=add dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1");
    CHECK(lines[1] == "op=replace dst=192.0.2.2/32 via=198.51.100.3 dev=eth1 src=192.0.2.1");
    CHECK(lines[2] == "op=remove dst=192.0.2.2/32 via=198.51.100.3 dev=eth1 src=192.0.2.1");
    CHECK(contract::listed(table) == "");
}
