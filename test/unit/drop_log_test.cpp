#include "faild/core/drop_log.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

std::optional<std::string> names(std::size_t li) {
    if (li < 2) return std::string(li == 0 ? "eth0" : "eth1");
    return std::nullopt;
}

template <class T>
std::vector<T> of(const effect_list& l) {
    std::vector<T> r;
    for (const auto& e : l)
        if (auto* x = std::get_if<T>(&e)) r.push_back(*x);
    return r;
}

}  // namespace

TEST_CASE("drop_log: the first of each kind is logged in full, later ones counted in a line a minute") {
    drop_log d;
    const auto from = ip_address::parse("192.0.2.9");
    CHECK(d.first_of_kind("wire", severity::warning, "drop", "bad_mac", 0, from, ms(0)));
    // Another reason is another kind.
    CHECK(d.first_of_kind("wire", severity::warning, "drop", "low_ttl", 0, from, ms(5)));
    CHECK_FALSE(d.first_of_kind("wire", severity::warning, "drop", "bad_mac", 1, from, ms(10)));
    CHECK_FALSE(d.first_of_kind("wire", severity::warning, "drop", "bad_mac", 1, from, ms(20)));
    effect_list out;
    d.due_lines(ms(59'999), names, out);
    CHECK(out.empty());  // not a minute yet
    d.due_lines(ms(60'000), names, out);
    auto lines = of<fx::repeated>(out);
    REQUIRE(lines.size() == 1);  // low_ttl: nothing counted since its first
    CHECK(lines[0].module == "wire");
    CHECK(lines[0].event == "drop");
    CHECK(lines[0].reason == "bad_mac");
    CHECK(lines[0].count == 2);
    CHECK(lines[0].seconds == 60);
    CHECK(lines[0].lan == std::optional<std::string>("eth1"));  // of the latest
    CHECK(lines[0].from == from);
    // The next line a minute after this one, and only with something new.
    out.clear();
    d.due_lines(ms(130'000), names, out);
    CHECK(out.empty());
    CHECK_FALSE(d.first_of_kind("wire", severity::warning, "drop", "bad_mac", 0, from, ms(130'001)));
    d.due_lines(ms(119'999), names, out);
    CHECK(out.empty());
    d.due_lines(ms(130'002), names, out);
    CHECK(of<fx::repeated>(out).size() == 1);
}

TEST_CASE("drop_log: an event without a reason, and a LAN that went, are told as such") {
    drop_log d;
    CHECK(d.first_of_kind("peer", severity::info, "peer_restarted", nullptr, 1, std::nullopt, ms(0)));
    CHECK_FALSE(d.first_of_kind("peer", severity::info, "peer_restarted", nullptr, 1, std::nullopt, ms(1)));
    CHECK_FALSE(d.first_of_kind("peer", severity::info, "peer_restarted", nullptr, 5, std::nullopt, ms(2)));
    effect_list out;
    d.due_lines(ms(60'000), names, out);
    auto lines = of<fx::repeated>(out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].reason.empty());
    CHECK(lines[0].level == severity::info);
    CHECK_FALSE(lines[0].lan);  // LAN 5 does not exist
    CHECK_FALSE(d.first_of_kind("peer", severity::info, "peer_restarted", nullptr, 1, std::nullopt, ms(60'001)));
    d.forget_lans([](std::size_t li) { return li == 1; });
    out.clear();
    d.due_lines(ms(120'001), names, out);
    REQUIRE(of<fx::repeated>(out).size() == 1);
    CHECK_FALSE(of<fx::repeated>(out)[0].lan);
}

TEST_CASE("line_budget: 20 lines a second, the rest counted when the next second starts") {
    line_budget b;
    effect_list out;
    int taken = 0;
    for (int i = 0; i < 25; ++i) taken += b.take(ms(1000 + i), out);
    CHECK(taken == 20);
    CHECK(out.empty());
    CHECK(b.take(ms(2000), out));
    REQUIRE(out.size() == 1);
    CHECK(std::get<fx::log_suppressed>(out[0]).lines == 5);
    // A quiet second: nothing to tell.
    out.clear();
    CHECK(b.take(ms(3500), out));
    CHECK(out.empty());
}
