// DOC: null_route_table_test — the dry run's table: the route-table
// contract (it keeps the state the reconciler reads back), and the line it
// reports for each change it accepts.
#include "platform/null/null_route_table.hpp"

#include "unit/route_table_contract.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using faild::platform::null_route_table;

namespace {

contract::environment null_environment() {
    contract::environment env;  // no foreign routes: nothing else writes to it
    env.a = {"eth0", 2};
    env.b = {"eth1", 3};
    return env;
}

}  // namespace

TEST_CASE("null_route_table: the route-table contract") {
    null_route_table table(nullptr);
    contract::check_route_table_contract(table, null_environment());
}

TEST_CASE("null_route_table: every change it makes is reported as key=value, refusals are not") {
    std::vector<std::string> lines;
    null_route_table table([&lines](const std::string& line) { lines.push_back(line); });
    auto env = null_environment();
    auto r = contract::make(contract::peer_a_v4, contract::peer_b_v4, env.b, contract::our_a_v4);
    auto moved = contract::make(contract::peer_a_v4, contract::other_b_v4, env.b, contract::our_a_v4);

    CHECK(table.add(r).ok());
    CHECK(table.add(r).error == "route exists");
    CHECK(table.replace(moved).ok());
    CHECK(contract::listed(table) == contract::show(moved));
    CHECK(table.remove(r).ok());
    CHECK(table.remove(r).error == "no such route");
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "op=add dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1");
    CHECK(lines[1] == "op=replace dst=192.0.2.2/32 via=198.51.100.3 dev=eth1 src=192.0.2.1");
    CHECK(lines[2] == "op=remove dst=192.0.2.2/32 via=198.51.100.3 dev=eth1 src=192.0.2.1");
    CHECK(contract::listed(table) == "");
}

TEST_CASE("null_route_table: a batch is the single calls one after the other") {
    std::vector<std::string> lines;
    null_route_table table([&lines](const std::string& line) { lines.push_back(line); });
    auto env = null_environment();
    auto r = contract::make(contract::peer_a_v4, contract::peer_b_v4, env.b, contract::our_a_v4);
    using kind = faild::platform::route_change::kind;
    auto results = table.apply({{kind::add, r}, {kind::add, r}, {kind::remove, r}});
    REQUIRE(results.size() == 3);
    CHECK(results[0].ok());
    CHECK(results[1].error == "route exists");
    CHECK(results[2].ok());
    CHECK(lines.size() == 2);
}

TEST_CASE("make_route_table: a dry run gets the null table, which reports instead of writing") {
    std::vector<std::string> lines;
    faild::platform::route_table_config config;
    config.dry_run = true;
    config.report = [&lines](const std::string& line) { lines.push_back(line); };
    std::string error;
    auto table = faild::platform::make_route_table(error, config);
    REQUIRE(table);
    CHECK(dynamic_cast<null_route_table*>(table.get()) != nullptr);
    auto env = null_environment();
    CHECK(table->add(contract::make(contract::peer_a_v4, contract::peer_b_v4, env.b, contract::our_a_v4)).ok());
    CHECK(lines.size() == 1);
    CHECK(error == "");
}
