#include "faild/core/event.hpp"
#include "faild/core/status.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

struct fixture {
    std::vector<lan> lans = {{"eth0", 10, {*prefix::parse("192.0.2.1/24")}, {}},
                             {"eth1", 11, {*prefix::parse("198.51.100.1/24")}, {}}};
    peer_map peers;
    route_set installed;
    fixture() {
        peer p;
        p.node_id = "h2";
        p.addresses = {ip("192.0.2.2"), ip("198.51.100.2")};
        path down(path_tracker(1, 1, ms(0)));
        down.tracker.miss(ms(1));
        down.rounds.record(ms(500), true);
        down.rounds.record(ms(600), false);
        path up(path_tracker(1, 1, ms(0)));
        up.tracker.good(ms(1));
        up.rtt.sample(duration(250));
        up.rounds.record(ms(600), true);
        p.paths.emplace(path_key{0, family::v4}, down);
        p.paths.emplace(path_key{1, family::v4}, up);
        peers.emplace("h2", p);
        installed[ip("192.0.2.2")] = route{ip("192.0.2.2"), ip("198.51.100.2"), "eth1", 11, ip("192.0.2.1"), {}};
    }
    std::vector<std::vector<std::string>> rows() {
        std::vector<std::vector<std::string>> out;
        for (const auto& r : build_status(lans, peers, installed, ms(1000))) out.push_back(to_fields(r));
        return out;
    }
};

}  // namespace

TEST_CASE("status: one row per path with counts, RTT, loss and the route it caused") {
    fixture f;
    auto rows = f.rows();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == std::vector<std::string>{"h2", "eth0", "v4", "down", "1", "0", "-", "50.0",
                                              "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1"});
    CHECK(rows[1] == std::vector<std::string>{"h2", "eth1", "v4", "up", "0", "1", "0.250", "0.0", "-"});
}

TEST_CASE("status: the three formats") {
    fixture f;
    auto rows = f.rows();
    auto records = format_records(status_fields(), rows);
    CHECK(records ==
          "peer|lan|family|state|missed|good|rtt_ms|loss_pct|route\n"
          "h2|eth0|v4|down|1|0|-|50.0|192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n"
          "h2|eth1|v4|up|0|1|0.250|0.0|-\n");
    auto back = parse_records(records);
    CHECK(back.first == status_fields());
    CHECK(back.second == rows);

    CHECK(format_table(status_fields(), rows) ==
          "PEER  LAN   FAMILY  STATE  MISSED  GOOD  RTT_MS  LOSS_PCT  ROUTE\n"
          "h2    eth0  v4      down   1       0     -       50.0      192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n"
          "h2    eth1  v4      up     0       1     0.250   0.0       -\n");

    CHECK(format_json(status_fields(), rows, {"missed", "good", "rtt_ms", "loss_pct"}) ==
          "[\n"
          " {\"peer\": \"h2\", \"lan\": \"eth0\", \"family\": \"v4\", \"state\": \"down\", \"missed\": 1, \"good\": 0, "
          "\"rtt_ms\": null, \"loss_pct\": 50.0, \"route\": \"192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\"},\n"
          " {\"peer\": \"h2\", \"lan\": \"eth1\", \"family\": \"v4\", \"state\": \"up\", \"missed\": 0, \"good\": 1, "
          "\"rtt_ms\": 0.250, \"loss_pct\": 0.0, \"route\": \"-\"}\n"
          "]\n");
    CHECK(format_json(status_fields(), {}, {}) == "[]\n");
}

TEST_CASE("status: records survive odd values, malformed lines are dropped") {
    auto text = format_records({"a", "b"}, {{"x|y", "multi\nline"}});
    CHECK(text == "a|b\nx_y|multi line\n");
    auto parsed = parse_records("a|b\n1|2\n1|2|3\n\n4|5\n");
    CHECK(parsed.second == std::vector<std::vector<std::string>>{{"1", "2"}, {"4", "5"}});
}

TEST_CASE("event: fields and JSON lines") {
    event e("path", severity::warning, "path_down");
    e.kv("peer", "h2").kv("note", "say \"hi\"").raw("dst=192.0.2.2/32 via=198.51.100.2");
    CHECK(e.get("peer") == "h2");
    CHECK(e.get("via") == "198.51.100.2");
    CHECK(e.get("nothing") == "");
    CHECK(e.to_json("2026-11-22T06:30:00.000001Z") ==
          "{\"time\":\"2026-11-22T06:30:00.000001Z\",\"module\":\"path\",\"level\":\"warning\",\"event\":\"path_down\","
          "\"peer\":\"h2\",\"note\":\"say \\\"hi\\\"\",\"dst\":\"192.0.2.2/32\",\"via\":\"198.51.100.2\"}");
}
