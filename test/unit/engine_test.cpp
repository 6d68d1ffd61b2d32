#include "faild/core/engine.hpp"
#include "print_effects.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <variant>

using namespace faild;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

/// What a version-2 MAC binds on LAN `li` of two_lans(): IPv4, its /24.
wire::lan_binding lan_v4(std::size_t li) {
    return {family::v4, *prefix::parse(li == 0 ? "192.0.2.0/24" : "198.51.100.0/24")};
}
std::vector<wire::lan_binding> on_lan(std::size_t li) { return {lan_v4(li)}; }

std::vector<lan> two_lans(int host) {
    std::string a = "192.0.2." + std::to_string(host) + "/24", b = "198.51.100." + std::to_string(host) + "/24";
    return {{"eth0", 10, {*prefix::parse(a)}, {}}, {"eth1", 11, {*prefix::parse(b)}, {}}};
}

engine_config cfg(const char* id, bool requestor) {
    engine_config c;
    c.node_id = id;
    c.incarnation = 7;
    c.requestor = requestor;
    c.interval = ms(100);
    c.fail_after = 3;
    c.up_after = 3;
    return c;
}

std::vector<std::uint8_t> msg(wire::type kind, const char* id, std::uint32_t seq, std::vector<std::string> heard = {},
                              std::uint32_t incarnation = 9) {
    wire::message m;
    m.kind = kind;
    m.node_id = id;
    m.incarnation = incarnation;
    m.seq = seq;
    m.interval_us = 100'000;
    // hN advertises host N's addresses on both LANs, both families.
    std::string n(1, m.node_id.back());
    for (auto net : {"192.0.2.", "198.51.100.", "2001:db8:a::", "2001:db8:b::"}) m.addresses.push_back(ip((net + n).c_str()));
    m.heard = std::move(heard);
    return wire::encode(m);
}

wire::message as_message(const std::vector<std::uint8_t>& b) {
    return std::get<wire::message>(wire::decode(b.data(), b.size()));
}

wire::message decoded(const outgoing& s) { return as_message(s.bytes); }

void feed(engine& e, std::size_t lan, const char* from, const std::vector<std::uint8_t>& b, timestamp now,
          engine_output& out) {
    e.receive(lan, ip(from), 7793, b.data(), b.size(), now, out);
}

// ---- what the engine said, by kind (typed: effects.hpp) ----

template <typename E>
std::vector<E> of(const engine_output& out) {
    return effects_of<E>(out.effects);
}

std::vector<fx::path_changed> changes(const engine_output& out, path_state to) {
    std::vector<fx::path_changed> v;
    for (const auto& c : of<fx::path_changed>(out))
        if (c.to == to) v.push_back(c);
    return v;
}
std::vector<fx::path_changed> downs(const engine_output& out) { return changes(out, path_state::down); }
std::vector<fx::path_changed> ups(const engine_output& out) { return changes(out, path_state::up); }

fx::path_changed went_down(const char* peer, const char* lan, path_state from, unsigned missed, down_reason why,
                           family fam = family::v4) {
    return {{peer, lan, fam}, from, path_state::down, missed, 0, why};
}
fx::path_changed went_up(const char* peer, const char* lan, path_state from, unsigned good, family fam = family::v4) {
    return {{peer, lan, fam}, from, path_state::up, 0, good};
}

std::vector<fx::peer_left> left(const engine_output& out, fx::peer_left::why why) {
    std::vector<fx::peer_left> v;
    for (const auto& l : of<fx::peer_left>(out))
        if (l.reason == why) v.push_back(l);
    return v;
}

/// The lines of one kind that are logged like drops: the first in full
/// (an effect of type E), later ones counted (fx::repeated naming `event`).
template <typename E>
effect_list first_and_counts(const engine_output& out, const char* event) {
    effect_list v;
    for (const auto& e : out.effects)
        if (std::holds_alternative<E>(e) ||
            (std::holds_alternative<fx::repeated>(e) && std::get<fx::repeated>(e).event == event))
            v.push_back(e);
    return v;
}
effect_list drops(const engine_output& out) { return first_and_counts<fx::datagram_dropped>(out, "drop"); }
effect_list collisions(const engine_output& out) {
    return first_and_counts<fx::node_id_collision>(out, "node_id_collision");
}

std::string routes(const engine& e) {
    std::string s;
    for (const auto& [dst, r] : e.desired_routes()) s += r.to_string() + "\n";
    return s;
}

const char* peer_hops[] = {"192.0.2.2", "198.51.100.2"};

/// Peer `id` (host N: N its last digit) answers, at `at`, every INQ in
/// out.sends from `done` on that went out on one of the LANs in `answer`,
/// from its IPv4 address there (round INQs, retries, checks, proof probes
/// alike).
void answer_inqs(engine& e, engine_output& out, std::size_t& done, const std::vector<std::size_t>& answer,
                 const char* id, timestamp at, const keyring* keys = nullptr) {
    const std::string n(1, std::string(id).back());
    while (done < out.sends.size()) {
        const outgoing s = out.sends[done++];  // a copy: feeding may add sends
        auto d = keys ? wire::decode(s.bytes.data(), s.bytes.size(), *keys, on_lan(s.lan))
                      : wire::decode(s.bytes.data(), s.bytes.size());
        REQUIRE(std::holds_alternative<wire::message>(d));
        auto& m = std::get<wire::message>(d);
        if (m.kind != wire::type::inq || !std::count(answer.begin(), answer.end(), s.lan)) continue;
        const std::string from = (s.lan == 0 ? "192.0.2." : "198.51.100.") + n;
        auto ack = msg(wire::type::ack, id, m.seq);
        if (keys) ack = wire::encode(as_message(ack), *keys, lan_v4(s.lan));
        feed(e, s.lan, from.c_str(), ack, at, out);
    }
}

/// Every wakeup the engine asks for before `until`, ticked, answering
/// nothing: time passes (checks of suspected misses go unanswered).
void advance(engine& e, timestamp until, engine_output& out) {
    for (timestamp t = e.next_wakeup(); t < until; t = e.next_wakeup()) e.tick(t, out);
}

std::size_t count_acks(const engine_output& out) {
    return std::size_t(std::count_if(out.sends.begin(), out.sends.end(), [](const outgoing& s) {
        auto d = wire::decode(s.bytes.data(), s.bytes.size());
        return std::holds_alternative<wire::message>(d) && std::get<wire::message>(d).kind == wire::type::ack;
    }));
}

/// One requestor round at `now`, as the daemon's loop runs it: tick
/// (closes the last round, sends INQs), the peer h2 answers every INQ
/// (round, retry, check or proof probe) on the LANs in `answer`, `rtt`
/// later, and every wakeup the engine asks for before the next round is
/// ticked too (fast confirmation, the checks of suspected misses).
/// Only the tick at `now`, its sends answered as round() does: for tests
/// that step through a round's wakeups themselves.
engine_output tick_answered(engine& e, timestamp now, std::vector<std::size_t> answer, duration rtt = ms(1)) {
    engine_output out;
    e.tick(now, out);
    std::size_t done = 0;
    answer_inqs(e, out, done, answer, "h2", now + rtt);
    return out;
}

engine_output round(engine& e, timestamp now, std::vector<std::size_t> answer, duration rtt = ms(1),
                    const keyring* keys = nullptr) {
    engine_output out;
    const timestamp end = now + e.config().interval;
    timestamp t = now;
    e.tick(t, out);
    for (std::size_t done = 0;;) {
        answer_inqs(e, out, done, answer, "h2", t + rtt, keys);
        t = std::max(e.next_wakeup(), t);
        if (t >= end) break;
        e.tick(t, out);
    }
    return out;
}

}  // namespace

TEST_CASE("engine: a requestor sends INQs to each LAN's broadcast on schedule") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    CHECK(e.next_wakeup() == ms(0));
    engine_output out;
    e.tick(ms(0), out);
    REQUIRE(out.sends.size() == 2);
    CHECK(out.sends[0].dst.to_string() == "192.0.2.255");
    CHECK(out.sends[1].dst.to_string() == "198.51.100.255");
    CHECK(out.sends[0].port == 7793);
    auto m = std::get<wire::message>(wire::decode(out.sends[0].bytes.data(), out.sends[0].bytes.size()));
    CHECK(m.kind == wire::type::inq);
    CHECK(m.node_id == "h1");
    CHECK(m.seq == 1);
    CHECK(m.interval_us == 100'000);
    CHECK(m.addresses == std::vector<ip_address>{ip("192.0.2.1"), ip("198.51.100.1")});
    CHECK(e.next_wakeup() == ms(100));
    engine_output none;
    e.tick(ms(99), none);
    CHECK(none.sends.empty());
    // A late tick keeps the schedule: the next send stays on the 100 ms grid.
    engine_output late;
    e.tick(ms(130), late);
    CHECK(late.sends.size() == 2);
    CHECK(e.next_wakeup() == ms(200));
}

TEST_CASE("engine: requestor timeline: up, silent LAN A, failover, recovery, switchback") {
    auto c = cfg("h1", true);
    c.fast_confirm = false;  // the rounds decide (fast confirmation has tests of its own)
    engine e(c, two_lans(1), ms(0));
    long long t = 0;
    auto at = [&](std::vector<std::size_t> lans) {
        auto out = round(e, ms(t), std::move(lans));
        t += 100;
        return out;
    };
    engine_output first = at({0, 1});
    CHECK(of<fx::peer_seen>(first) == std::vector<fx::peer_seen>{fx::peer_seen{"h2", "eth0", ip("192.0.2.2")}});
    at({0, 1});
    auto up = at({0, 1});  // third good round: s = 3
    CHECK(ups(up) == std::vector<fx::path_changed>{went_up("h2", "eth0", path_state::init, 3), went_up("h2", "eth1", path_state::init, 3)});
    CHECK(up.paths_changed);
    CHECK(routes(e).empty());

    // The INQ lists h2 as heard on both LANs once its ACKs came back.
    engine_output probe;
    e.tick(ms(t), probe);
    auto inq = std::get<wire::message>(wire::decode(probe.sends[0].bytes.data(), probe.sends[0].bytes.size()));
    CHECK(inq.heard == std::vector<std::string>{"h2"});
    feed(e, 0, "192.0.2.2", msg(wire::type::ack, "h2", inq.seq), ms(t + 1), probe);
    feed(e, 1, "198.51.100.2", msg(wire::type::ack, "h2", inq.seq), ms(t + 1), probe);
    t += 100;

    // LAN A goes silent from the next INQ on: its miss is suspected when
    // the round after it closes, and counted when the check probe that
    // follows goes unanswered too; the third miss takes the path down.
    CHECK(downs(at({1})).empty());  // INQ n sent, unanswered on A
    CHECK(downs(at({1})).empty());  // miss 1
    CHECK(downs(at({1})).empty());  // miss 2
    CHECK(downs(at({1})) ==  // miss 3
          std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 3, down_reason::missed)});
    CHECK(routes(e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");

    // Recovery: s good rounds on LAN A bring it back; the route goes.
    at({0, 1});
    at({0, 1});
    CHECK(routes(e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
    auto back = at({0, 1});
    CHECK(ups(back) == std::vector<fx::path_changed>{went_up("h2", "eth0", path_state::down, 3)});
    CHECK(routes(e).empty());
}

TEST_CASE("engine: a late or foreign ACK is not a good round") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    engine_output out;
    e.tick(ms(0), out);
    feed(e, 0, "192.0.2.2", msg(wire::type::ack, "h2", 99), ms(1), out);  // wrong seq: learns the peer only
    REQUIRE(e.peers().count("h2"));
    CHECK(e.view("h2", {0, family::v4}).good_rounds() == 0);
}

TEST_CASE("engine: a responder answers every INQ out of the LAN it came in on") {
    engine e(cfg("h2", false), two_lans(2), ms(0));
    engine_output out;
    auto inq = msg(wire::type::inq, "h1", 5);
    e.receive(1, ip("198.51.100.1"), 40000, inq.data(), inq.size(), ms(10), out);
    // The ACK first; then a probe of our own to prove h1's address.
    REQUIRE(count_acks(out) == 1);
    CHECK(out.sends[0].lan == 1);
    CHECK(out.sends[0].dst == ip("198.51.100.1"));
    CHECK(out.sends[0].port == 40000);
    auto ack = std::get<wire::message>(wire::decode(out.sends[0].bytes.data(), out.sends[0].bytes.size()));
    CHECK(ack.kind == wire::type::ack);
    CHECK(ack.seq == 5);
    CHECK(ack.node_id == "h2");
}

TEST_CASE("engine: responder timeline: heard list, one-way failure, deadline misses") {
    engine e(cfg("h2", false), two_lans(2), ms(0));
    auto inq = [&](std::size_t lan, long long t, bool lists_us) {
        engine_output out;
        std::vector<std::string> heard;
        if (lists_us) heard = {"h2"};
        auto b = msg(wire::type::inq, "h1", std::uint32_t(t), heard);
        advance(e, ms(t), out);
        e.receive(lan, ip(lan == 0 ? "192.0.2.1" : "198.51.100.1"), 7793, b.data(), b.size(), ms(t), out);
        // h1 answers our probes where our datagrams reach it (not on a
        // LAN where it no longer lists us).
        std::size_t done = 0;
        if (lists_us) answer_inqs(e, out, done, {lan}, "h1", ms(t) + ms(1));
        e.tick(ms(t), out);
        return out;
    };
    for (long long t = 0; t < 300; t += 100) {
        inq(0, t, true);
        inq(1, t, true);
    }
    CHECK(e.view("h1", {0, family::v4}).state() == path_state::up);
    CHECK(e.view("h1", {1, family::v4}).state() == path_state::up);

    // Our ACKs on LAN A stop reaching h1: its INQs no longer list us. Each
    // such INQ is a suspected miss, counted when our probe to h1 on LAN A
    // goes unanswered too (10 ms later: no RTT sample on a responder).
    std::size_t early_downs = 0;
    for (long long t = 300; t < 600; t += 100) {
        early_downs += downs(inq(0, t, false)).size();
        inq(1, t, true);
    }
    CHECK(early_downs == 0);
    engine_output rest;
    advance(e, ms(520), rest);
    CHECK(downs(rest) == std::vector<fx::path_changed>{went_down("h1", "eth0", path_state::up, 3, down_reason::one_way)});
    CHECK(routes(e) == "192.0.2.1/32 via 198.51.100.1 dev eth1 src 192.0.2.2\n");

    // LAN B's INQs stop arriving: deadlines (1.5 intervals) pass, then each interval.
    for (long long t = 600; t < 1000; t += 100) inq(0, t, true);  // LAN A recovers meanwhile
    CHECK(e.view("h1", {0, family::v4}).state() == path_state::up);
    CHECK(e.view("h1", {1, family::v4}).state() == path_state::down);
}

TEST_CASE("engine: drops own, colliding, malformed and off-link datagrams, BYE forgets") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    engine_output out;
    auto own = msg(wire::type::inq, "h1", 1, {}, 7);
    feed(e, 0, "192.0.2.1", own, ms(1), out);
    CHECK(e.drops().own == 1);
    auto other = msg(wire::type::inq, "h1", 1, {}, 8);
    feed(e, 0, "192.0.2.9", other, ms(1), out);
    feed(e, 0, "192.0.2.9", other, ms(2), out);
    CHECK(e.drops().id_collision == 2);
    CHECK(collisions(out) == effect_list{fx::node_id_collision{"h1", "eth0", ip("192.0.2.9")}});  // the second: counted
    e.receive(0, ip("192.0.2.2"), 7793, other.data(), other.size(), ms(2), out, 254);  // routed, not on-link
    CHECK(e.drops().low_ttl == 1);
    std::vector<std::uint8_t> junk{1, 2, 3};
    feed(e, 0, "192.0.2.2", junk, ms(3), out);
    CHECK(e.drops().wire[std::size_t(wire::error::too_short)] == 1);
    feed(e, 0, "203.0.113.5", msg(wire::type::inq, "h9", 1), ms(4), out);
    CHECK(e.drops().off_link == 1);
    CHECK(e.peers().empty());
    CHECK(out.sends.empty());  // nothing answered

    feed(e, 0, "192.0.2.2", msg(wire::type::inq, "h2", 1), ms(5), out);
    CHECK(e.peers().count("h2"));
    engine_output bye_out;
    feed(e, 1, "198.51.100.2", msg(wire::type::bye, "h2", 0, {}, 1), ms(6), bye_out);  // other incarnation: ignored
    CHECK(e.peers().count("h2"));
    feed(e, 1, "198.51.100.2", msg(wire::type::bye, "h2", 0), ms(6), bye_out);
    // Without keys a BYE is checked: probes h2 must leave unanswered.
    CHECK(e.peers().count("h2"));
    REQUIRE_FALSE(bye_out.sends.empty());
    CHECK((decoded(bye_out.sends[0]).flags & wire::flag_probe_only));
    advance(e, ms(100), bye_out);
    CHECK(e.peers().empty());
    CHECK(bye_out.paths_changed);
    CHECK(left(bye_out, fx::peer_left::why::bye) == std::vector<fx::peer_left>{fx::peer_left{"h2", fx::peer_left::why::bye, "eth1"}});
}

TEST_CASE("engine: dropped datagrams: the first of each kind in full, then a count a minute at most, as long as they come") {
    engine e(cfg("h1", false), two_lans(1), ms(0));
    std::vector<std::uint8_t> junk{1, 2, 3};
    auto other_h1 = msg(wire::type::inq, "h1", 1, {}, 8);  // our id, another incarnation
    auto drops_at = [&](long long t, const char* from) {
        engine_output out;
        feed(e, 0, from, junk, ms(t), out);
        feed(e, 0, from, other_h1, ms(t), out);
        return out;
    };
    auto tick_at = [&](long long t) {
        engine_output out;
        e.tick(ms(t), out);
        return out;
    };
    auto first = drops_at(0, "192.0.2.9");
    CHECK(drops(first) == effect_list{fx::datagram_dropped{"too_short", "eth0", ip("192.0.2.9")}});
    CHECK(collisions(first) == effect_list{fx::node_id_collision{"h1", "eth0", ip("192.0.2.9")}});
    for (long long t : {1'000, 30'000}) {
        auto more = drops_at(t, "192.0.2.9");
        CHECK(more.effects.empty());
    }
    CHECK(tick_at(59'000).effects.empty());  // not a minute since the first line
    auto minute = tick_at(61'000);
    CHECK(drops(minute) == effect_list{fx::repeated{"wire", severity::warning, "drop", "too_short", 2, 61, std::string("eth0"), ip("192.0.2.9")}});
    CHECK(collisions(minute) == effect_list{fx::repeated{"peer", severity::error, "node_id_collision", "", 2, 61, std::string("eth0"), ip("192.0.2.9")}});
    CHECK(tick_at(200'000).effects.empty());  // none since: no line
    // Long after, a new one: its count within a second, not a minute on.
    CHECK(drops_at(300'000, "192.0.2.8").effects.empty());
    CHECK(drops(tick_at(301'000)) == effect_list{fx::repeated{"wire", severity::warning, "drop", "too_short", 1, 240, std::string("eth0"), ip("192.0.2.8")}});
    CHECK(e.drops().wire[std::size_t(wire::error::too_short)] == 4);
    CHECK(e.drops().id_collision == 4);
    // Off-link sources and probes for an address not ours are logged the
    // same way (each its kind).
    engine_output other;
    feed(e, 0, "203.0.113.5", msg(wire::type::inq, "h9", 1), ms(302'000), other);
    auto probe = as_message(msg(wire::type::inq, "h2", 5));
    probe.flags = wire::flag_probe_only;
    probe.target = ip("192.0.2.77");
    auto relayed = wire::encode(probe);
    feed(e, 0, "192.0.2.2", relayed, ms(302'000), other);
    feed(e, 0, "192.0.2.2", relayed, ms(302'001), other);
    CHECK(drops(other) == effect_list{fx::datagram_dropped{"off_link", "eth0", ip("203.0.113.5")}, fx::datagram_dropped{"wrong_target", "eth0", ip("192.0.2.2")}});
    CHECK(e.drops().wrong_target == 2);
    CHECK(count_acks(other) == 0);  // not answered: not ours to answer
}

TEST_CASE("engine: housekeeping rides on the rounds: a requestor wakes for nothing else, and still counts drops") {
    // t = 0.3 s: the rounds (0, 300, ... ms) do not fall on the whole seconds
    // when housekeeping is due; it waits for the next round instead.
    auto c = cfg("h1", true);
    c.interval = ms(300);
    engine e(c, two_lans(1), ms(0));
    std::vector<std::uint8_t> junk{1, 2, 3};
    engine_output in;
    feed(e, 0, "192.0.2.9", junk, ms(10), in);  // logged in full at once
    feed(e, 0, "192.0.2.9", junk, ms(20), in);  // counted in the minute's line
    long long wakeups = 0, count_line_at = -1;
    for (timestamp t = e.next_wakeup(); t <= ms(130'000); t = e.next_wakeup()) {
        engine_output out;
        e.tick(t, out);
        ++wakeups;
        CHECK(t.count() % 300'000 == 0);  // a round's time (microseconds)
        CHECK(out.sends.size() == 2);     // and the round's INQs went out
        if (!drops(out).empty()) count_line_at = t.count() / 1000;
    }
    CHECK(wakeups == 130'000 / 300 + 1);
    // Due a minute after the first line (10 ms), run by the first round at or
    // after a housekeeping time, which is at most the slack late.
    CHECK(count_line_at >= 60'010);
    CHECK(count_line_at <= 62'010);
}

TEST_CASE("engine: housekeeping without rounds: a responder wakes for it every 2 s, and INQs that keep coming do not starve it") {
    engine idle(cfg("h1", false), two_lans(1), ms(0));
    timestamp last = ms(0);
    for (int i = 0; i < 10; ++i) {
        timestamp t = idle.next_wakeup();
        CHECK(t - last == ms(2'000));  // due a second after the last, then the slack
        engine_output out;
        idle.tick(t, out);
        last = t;
    }
    // A requestor's INQs every 100 ms push the responder's deadlines on,
    // and with them the timer: housekeeping still runs, within the slack.
    engine e(cfg("h1", false), two_lans(1), ms(0));
    std::vector<std::uint8_t> junk{1, 2, 3};
    engine_output in;
    feed(e, 0, "192.0.2.9", junk, ms(5), in);
    feed(e, 0, "192.0.2.9", junk, ms(6), in);
    long long count_line_at = -1;
    for (long long t = 0; t <= 70'000 && count_line_at < 0; t += 10) {
        engine_output out;
        if (t % 100 == 0)
            for (std::size_t li : {0, 1})
                feed(e, li, peer_hops[li], msg(wire::type::inq, "h2", std::uint32_t(t / 100 + 1), {"h1"}), ms(t), out);
        if (e.next_wakeup() <= ms(t)) e.tick(ms(t), out);
        CHECK(downs(out).empty());
        if (!drops(out).empty()) count_line_at = t;
    }
    CHECK(count_line_at >= 60'005);
    CHECK(count_line_at <= 62'005);
}

TEST_CASE("engine: LANs at the end that no path is on can be dropped, a list dropping one with a path is refused") {
    auto lans = two_lans(1);
    lans.push_back({"br-1", 12, {*prefix::parse("203.0.113.1/24")}, {}});
    engine e(cfg("h1", true), lans, ms(0));
    engine_output out;
    feed(e, 0, "192.0.2.2", msg(wire::type::inq, "h2", 1), ms(1), out);
    feed(e, 1, "198.51.100.2", msg(wire::type::inq, "h2", 1), ms(1), out);
    REQUIRE(e.has_paths_on(0));
    REQUIRE(e.has_paths_on(1));
    CHECK_FALSE(e.has_paths_on(2));
    // A datagram dropped on br-1: its count line must not name a LAN that is gone.
    std::vector<std::uint8_t> junk{1, 2, 3};
    feed(e, 2, "203.0.113.9", junk, ms(2), out);
    feed(e, 2, "203.0.113.9", junk, ms(3), out);

    CHECK(e.update_lans(two_lans(1), ms(10), out));  // br-1 gone: nothing on it
    CHECK(e.lans().size() == 2);
    CHECK_FALSE(e.update_lans({two_lans(1)[0]}, ms(20), out));  // eth1 has h2's path: refused whole
    CHECK(e.lans().size() == 2);
    CHECK(e.lans()[1].name == "eth1");
    auto swapped = two_lans(1);  // nor may another LAN take eth1's place
    swapped[1].name = "br-9";
    CHECK_FALSE(e.update_lans(swapped, ms(20), out));
    CHECK(e.lans()[1].name == "eth1");
    // Rounds go on over what is left, and a LAN can come again at the end.
    effect_list counted;
    for (long long t = 100; t <= 62'000; t += 100) {
        engine_output r;
        e.tick(ms(t), r);
        for (const auto& snd : r.sends) CHECK(snd.lan < 2);
        for (auto& d : drops(r)) counted.push_back(d);
    }
    REQUIRE(counted.size() == 1);
    const auto& line = std::get<fx::repeated>(counted[0]);
    CHECK(line.reason == "too_short");
    CHECK(line.count == 1);
    CHECK_FALSE(line.lan);  // br-1 is gone: named by nobody
    CHECK(line.from == ip("203.0.113.9"));
    CHECK(e.update_lans(lans, ms(62'100), out));
    CHECK(e.lans().size() == 3);
    engine_output again;
    e.tick(ms(62'100), again);
    CHECK(std::any_of(again.sends.begin(), again.sends.end(), [](const outgoing& o) { return o.lan == 2; }));
}

TEST_CASE("engine: a LAN in the place of one that went (same refresh) is new: probed at once, no count of the old one's") {
    auto lans = two_lans(1);
    lans.push_back({"br-1", 12, {*prefix::parse("203.0.113.1/24")}, {}});
    engine e(cfg("h1", true), lans, ms(0));
    engine_output out;
    e.tick(ms(0), out);
    std::vector<std::uint8_t> junk{1, 2, 3};
    feed(e, 2, "203.0.113.9", junk, ms(2), out);
    feed(e, 2, "203.0.113.9", junk, ms(3), out);  // counted, for br-1
    lans[2].name = "br-2";
    lans[2].ifindex = 13;
    engine_output swap;
    CHECK(e.update_lans(lans, ms(50), swap));
    CHECK(e.next_wakeup() == ms(50));  // not at the next round (100 ms)
    engine_output first;
    e.tick(e.next_wakeup(), first);
    CHECK(e.next_wakeup() > ms(50));
    CHECK(std::any_of(first.sends.begin(), first.sends.end(), [](const outgoing& o) { return o.lan == 2; }));
    effect_list counted;
    for (long long t = 100; t <= 62'000; t += 100) {
        engine_output r;
        e.tick(ms(t), r);
        for (auto& d : drops(r)) counted.push_back(d);
    }
    REQUIRE(counted.size() == 1);
    const auto& line = std::get<fx::repeated>(counted[0]);
    CHECK(line.reason == "too_short");
    CHECK(line.count == 1);
    CHECK(line.lan != std::optional<std::string>("br-2"));  // br-2 dropped none of them
}

TEST_CASE("engine: a peer met over LAN B only is watched on LAN A, and only with keys is its address there routed") {
    // Without keys, 192.0.2.2 is only h2's claim: nobody answered a probe
    // there, so nothing is routed to it (PROTOCOL.md, "Trust"). With keys
    // the claim is authenticated, and no other node proved the address.
    std::string err;
    keyring keys;
    REQUIRE(keys.parse(std::string(64, '5'), "k", err));
    for (bool keyed : {false, true}) {
        CAPTURE(keyed);
        auto c = cfg("h1", true);
        if (keyed) c.keys = keys;
        engine e(c, two_lans(1), ms(0));
        std::vector<fx::path_changed> went;
        for (long long t = 0; t < 800; t += 100)
            for (auto& d : downs(round(e, ms(t), {1}, ms(1), keyed ? &keys : nullptr))) went.push_back(d);
        CHECK(went == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::init, 3, down_reason::missed)});
        CHECK(e.proofs().proven("h2", ip("198.51.100.2"), "eth1"));
        CHECK_FALSE(e.proofs().proven("h2", ip("192.0.2.2"), "eth0"));
        CHECK(routes(e) == (keyed ? "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n" : ""));
    }
}

TEST_CASE("engine: shutdown says BYE on every LAN") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    engine_output out;
    e.shutdown(out);
    REQUIRE(out.sends.size() == 2);
    for (const auto& s : out.sends)
        CHECK(std::get<wire::message>(wire::decode(s.bytes.data(), s.bytes.size())).kind == wire::type::bye);
}

TEST_CASE("engine: a peer whose paths are all down is forgotten after forget_after") {
    auto c = cfg("h1", true);
    c.forget_after = ms(2000);
    engine e(c, two_lans(1), ms(0));
    long long t = 0;
    for (; t < 300; t += 100) round(e, ms(t), {0, 1});
    std::vector<fx::peer_left> lost;
    for (; t < 5000 && lost.empty(); t += 100) lost = left(round(e, ms(t), {}), fx::peer_left::why::lost);
    CHECK(lost == std::vector<fx::peer_left>{{"h2", fx::peer_left::why::lost, ""}});
    CHECK(t > 2000);
    CHECK(e.peers().empty());
}

namespace {

std::vector<lan> dual_lans(int host, bool link_local_ready = true) {
    auto h = std::to_string(host);
    std::vector<lan> l = {
        {"eth0", 10, {*prefix::parse("192.0.2." + h + "/24"), *prefix::parse("2001:db8:a::" + h + "/64")}, {}},
        {"eth1", 11, {*prefix::parse("198.51.100." + h + "/24"), *prefix::parse("2001:db8:b::" + h + "/64")}, {}},
    };
    if (link_local_ready) {
        l[0].link_local = ip(("fe80::a:" + h).c_str());
        l[1].link_local = ip(("fe80::b:" + h).c_str());
    }
    return l;
}

}  // namespace

TEST_CASE("engine: IPv6 INQs go to ff02::fa1d, only once the link-local address is usable") {
    engine e(cfg("h1", true), dual_lans(1, false), ms(0));
    engine_output out;
    e.tick(ms(0), out);
    REQUIRE(out.sends.size() == 2);  // IPv4 only: the link-locals are still tentative
    for (const auto& s : out.sends) CHECK(s.dst.is_v4());

    std::vector<lan> ready = dual_lans(1, true);
    engine_output out2;
    e.update_lans(ready, ms(100), out2);
    e.tick(ms(100), out2);
    REQUIRE(out2.sends.size() == 4);
    std::string dsts;
    for (const auto& s : out2.sends) dsts += std::to_string(s.lan) + ":" + s.dst.to_string() + " ";
    CHECK(dsts == "0:192.0.2.255 0:ff02::fa1d 1:198.51.100.255 1:ff02::fa1d ");
    auto m = std::get<wire::message>(wire::decode(out2.sends[1].bytes.data(), out2.sends[1].bytes.size()));
    // Advertised: every usable routable address, never a link-local one.
    CHECK(m.addresses == std::vector<ip_address>{ip("192.0.2.1"), ip("2001:db8:a::1"), ip("198.51.100.1"),
                                                 ip("2001:db8:b::1")});
}

TEST_CASE("engine: an IPv6 INQ is answered from the link-local address, not while it is tentative") {
    engine e(cfg("h2", false), dual_lans(2, false), ms(0));
    auto inq = msg(wire::type::inq, "h1", 3);
    engine_output out;
    e.receive(1, ip("fe80::b:1"), 7793, inq.data(), inq.size(), ms(1), out);
    CHECK(out.sends.empty());  // our link-local on eth1 is tentative: say nothing
    e.update_lans(dual_lans(2, true), ms(2), out);
    auto next = msg(wire::type::inq, "h1", 4);  // the next round
    e.receive(1, ip("fe80::b:1"), 7793, next.data(), next.size(), ms(2), out);
    REQUIRE(count_acks(out) == 1);  // (and a probe to prove h1's link-local address)
    CHECK(out.sends[0].dst == ip("fe80::b:1"));
    CHECK(out.sends[0].lan == 1);
    CHECK(e.peers().at("h1").paths.count({1, family::v6}) == 1);
    CHECK(e.view("h1", {1, family::v6}).hop() == ip("fe80::b:1"));
}

TEST_CASE("engine: dual-stack: IPv4 and IPv6 paths of one peer are judged apart") {
    engine e(cfg("h1", true), dual_lans(1), ms(0));
    const char* v4hop[] = {"192.0.2.2", "198.51.100.2"};
    const char* v6hop[] = {"fe80::a:2", "fe80::b:2"};
    auto run = [&](long long t, bool v6_on_a) {
        engine_output out;
        timestamp now = ms(t);
        e.tick(now, out);
        for (std::size_t done = 0;;) {  // every wakeup until the next round, as the daemon's loop
            while (done < out.sends.size()) {
                const outgoing s = out.sends[done++];
                auto m = std::get<wire::message>(wire::decode(s.bytes.data(), s.bytes.size()));
                if (m.kind != wire::type::inq) continue;
                if (!s.dst.is_v4() && s.lan == 0 && !v6_on_a) continue;  // IPv6 lost on LAN A only
                feed(e, s.lan, s.dst.is_v4() ? v4hop[s.lan] : v6hop[s.lan], msg(wire::type::ack, "h2", m.seq),
                     now + ms(1), out);
            }
            now = std::max(now, e.next_wakeup());
            if (now >= ms(t + 100)) break;
            e.tick(now, out);
        }
        return out;
    };
    long long t = 0;
    for (; t < 400; t += 100) run(t, true);
    std::vector<fx::path_changed> went;
    for (; t < 900; t += 100)
        for (auto& d : downs(run(t, false))) went.push_back(d);
    CHECK(went ==
          std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 3, down_reason::missed, family::v6)});
    CHECK(e.view("h2", {0, family::v4}).state() == path_state::up);
    CHECK(routes(e) == "2001:db8:a::2/128 via fe80::b:2 dev eth1 src 2001:db8:a::1\n");
}

TEST_CASE("engine: heard lists name responders only, a list cut short does not count against us") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    engine_output out;
    e.tick(ms(0), out);
    auto seq = std::get<wire::message>(wire::decode(out.sends[0].bytes.data(), out.sends[0].bytes.size())).seq;
    feed(e, 0, "192.0.2.2", msg(wire::type::ack, "h2", seq), ms(1), out);  // h2: a responder
    feed(e, 0, "192.0.2.3", msg(wire::type::ack, "h3", seq), ms(1), out);
    feed(e, 0, "192.0.2.3", msg(wire::type::inq, "h3", 1), ms(2), out);    // h3 also sends INQs
    engine_output next;
    e.tick(ms(100), next);
    auto inq = std::get<wire::message>(wire::decode(next.sends[0].bytes.data(), next.sends[0].bytes.size()));
    CHECK(inq.heard == std::vector<std::string>{"h2"});
    CHECK((inq.flags & wire::flag_heard_truncated) == 0);

    engine r(cfg("h2", false), two_lans(2), ms(0));
    wire::message cut;
    cut.kind = wire::type::inq;
    cut.node_id = "h1";
    cut.incarnation = 9;
    cut.interval_us = 100'000;
    cut.heard = {"h7"};
    cut.flags = wire::flag_heard_truncated;
    for (long long t = 0; t < 300; t += 100) {
        cut.seq = std::uint32_t(t);
        auto b = wire::encode(cut);
        engine_output o;
        r.receive(0, ip("192.0.2.1"), 7793, b.data(), b.size(), ms(t), o);
    }
    CHECK(r.view("h1", {0, family::v4}).state() == path_state::up);
}

TEST_CASE("engine: a down path on a LAN the peer no longer advertises is forgotten, and so is its route") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    long long t = 0;
    for (; t < 400; t += 100) round(e, ms(t), {0, 1});
    for (; t < 900; t += 100) round(e, ms(t), {1});
    CHECK(routes(e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
    // h2 is reconfigured: it leaves LAN A and says so in its address list.
    wire::message m;
    m.kind = wire::type::inq;
    m.node_id = "h2";
    m.incarnation = 9;
    m.seq = 1;
    m.interval_us = 100'000;
    m.addresses = {ip("198.51.100.2")};
    auto b = wire::encode(m);
    engine_output out;
    e.receive(1, ip("198.51.100.2"), 7793, b.data(), b.size(), ms(t), out);
    CHECK(of<fx::path_forgotten>(out) == std::vector<fx::path_forgotten>{fx::path_forgotten{{"h2", "eth0", family::v4}}});
    CHECK(out.paths_changed);
    CHECK(routes(e).empty());
    CHECK(e.peers().at("h2").paths.count({0, family::v4}) == 0);
}

TEST_CASE("engine: a datagram from the LAN's network or broadcast address is off-link") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    engine_output out;
    feed(e, 0, "192.0.2.255", msg(wire::type::inq, "h2", 1), ms(1), out);
    feed(e, 0, "192.0.2.0", msg(wire::type::inq, "h2", 1), ms(1), out);
    CHECK(e.drops().off_link == 2);
    CHECK(out.sends.empty());
    CHECK(e.peers().empty());
}

namespace {

/// h1 (requestor) with h2 up on both LANs after four answered rounds.
struct two_up {
    engine e;
    long long t = 0;
    explicit two_up(engine_config c = cfg("h1", true), duration rtt = ms(1)) : e(std::move(c), two_lans(1), ms(0)) {
        for (; t < 400; t += 100) round(e, ms(t), {0, 1}, rtt);
        REQUIRE(e.view("h2", {0, family::v4}).state() == path_state::up);
    }
    std::vector<std::uint8_t> notice_from_h2(const char* addr, std::uint32_t incarnation = 9) {
        wire::message m;
        m.kind = wire::type::notice;
        m.node_id = "h2";
        m.incarnation = incarnation;
        m.interval_us = 100'000;
        m.addresses = {ip(addr)};
        return wire::encode(m);
    }
};


}  // namespace

TEST_CASE("engine: carrier loss takes the LAN's paths down at once and tells the peer over a live path") {
    two_up s;
    auto lans = two_lans(1);
    lans[0].carrier = false;
    engine_output out;
    s.e.update_lans(lans, ms(s.t + 5), out);
    CHECK(downs(out) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 0, down_reason::carrier)});
    CHECK(of<fx::notice_sent>(out) == std::vector<fx::notice_sent>{fx::notice_sent{{"h2", "eth0", family::v4}, "eth1"}});
    REQUIRE(out.sends.size() == 1);
    CHECK(out.sends[0].lan == 1);
    CHECK(out.sends[0].dst == ip("198.51.100.2"));
    auto n = decoded(out.sends[0]);
    CHECK(n.kind == wire::type::notice);
    CHECK(n.addresses == std::vector<ip_address>{ip("192.0.2.1")});
    CHECK(out.paths_changed);
    CHECK(routes(s.e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");

    // No carrier: nothing is sent on LAN A (h2 answers on LAN B).
    engine_output quiet = round(s.e, ms(s.t), {0, 1});
    for (const auto& o : quiet.sends) CHECK(o.lan == 1);

    // Carrier back: the next INQ on LAN A leaves at once, not a round later.
    engine_output back;
    s.e.update_lans(two_lans(1), ms(s.t + 30), back);
    CHECK(s.e.next_wakeup() == ms(s.t + 30));
    s.e.tick(ms(s.t + 30), back);
    bool lan_a_probed = false;
    for (const auto& o : back.sends)
        lan_a_probed |= o.lan == 0 && decoded(o).kind == wire::type::inq && !(decoded(o).flags & wire::flag_probe_only);
    CHECK(lan_a_probed);
    CHECK(s.e.view("h2", {0, family::v4}).state() == path_state::down);  // s rounds still needed
}

TEST_CASE("engine: a notice is checked by our own probe, unanswered, the path goes down (reason peer-notice)") {
    two_up s;
    engine_output out;
    auto n = s.notice_from_h2("192.0.2.2");
    s.e.receive(1, ip("198.51.100.2"), 7793, n.data(), n.size(), ms(s.t + 1), out);
    CHECK(of<fx::notice_received>(out) == std::vector<fx::notice_received>{fx::notice_received{{"h2", "eth0", family::v4}}});
    REQUIRE(out.sends.size() == 1);
    CHECK(out.sends[0].lan == 0);
    CHECK(out.sends[0].dst == ip("192.0.2.2"));
    auto probe = decoded(out.sends[0]);
    CHECK(probe.kind == wire::type::inq);
    CHECK((probe.flags & wire::flag_probe_only));
    CHECK(probe.seq >= 0x80000000u);
    // The deadline is max(5 ms, 4 x RTT): RTT here is 1 ms.
    engine_output early;
    s.e.tick(ms(s.t + 5), early);
    CHECK(downs(early).empty());
    engine_output later;
    s.e.tick(ms(s.t + 6), later);
    CHECK(downs(later) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 0, down_reason::peer_notice)});
    CHECK(of<fx::notice_sent>(later).empty());  // no notice in answer to a notice
    CHECK(routes(s.e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
}

TEST_CASE("engine: a notice about a path that answers is refuted and changes nothing") {
    two_up s;
    engine_output out;
    auto n = s.notice_from_h2("192.0.2.2");
    s.e.receive(1, ip("198.51.100.2"), 7793, n.data(), n.size(), ms(s.t + 1), out);
    auto probe = decoded(out.sends.at(0));
    feed(s.e, 0, "192.0.2.2", msg(wire::type::ack, "h2", probe.seq), ms(s.t + 2), out);
    CHECK(of<fx::notice_refuted>(out) == std::vector<fx::notice_refuted>{fx::notice_refuted{{"h2", "eth0", family::v4}}});
    engine_output later;
    s.e.tick(ms(s.t + 50), later);
    CHECK(downs(later).empty());
    CHECK(s.e.view("h2", {0, family::v4}).state() == path_state::up);
    CHECK(routes(s.e).empty());
}

TEST_CASE("engine: after a refuted notice: one check an interval, then two probes of half an interval each") {
    // A flood of forged notices: each refuted one makes the next cheaper to
    // ignore and harder to believe. A peer slowed by the flood that answers
    // within half an interval keeps its path.
    auto c = cfg("h1", true);
    c.fast_confirm = false;  // LAN A's own rounds stay slower than the notice below
    two_up s(c);
    const long long t0 = s.t + 1;
    auto n = s.notice_from_h2("192.0.2.2");
    engine_output first;
    s.e.receive(1, ip("198.51.100.2"), 7793, n.data(), n.size(), ms(t0), first);
    auto probe = decoded(first.sends.at(0));
    feed(s.e, 0, "192.0.2.2", msg(wire::type::ack, "h2", probe.seq), ms(t0 + 1), first);
    REQUIRE(of<fx::notice_refuted>(first) == std::vector<fx::notice_refuted>{fx::notice_refuted{{"h2", "eth0", family::v4}}});
    // Within the interval after the refutation: no check at all.
    engine_output soon;
    s.e.receive(1, ip("198.51.100.2"), 7793, n.data(), n.size(), ms(t0 + 50), soon);
    CHECK(soon.sends.empty());
    CHECK(of<fx::notice_received>(soon).empty());
    // Later (within 10 s): a doubted check. Its first probe waits 50 ms.
    engine_output doubted;
    s.e.receive(1, ip("198.51.100.2"), 7793, n.data(), n.size(), ms(t0 + 120), doubted);
    REQUIRE(doubted.sends.size() == 1);
    CHECK(s.e.next_wakeup() <= ms(t0 + 170));
    engine_output second;
    s.e.tick(ms(t0 + 170), second);  // unanswered: a second probe, not a failover
    CHECK(downs(second).empty());
    auto it = std::find_if(second.sends.begin(), second.sends.end(), [](const outgoing& o) {
        return o.lan == 0 && o.dst == ip("192.0.2.2") && (decoded(o).flags & wire::flag_probe_only);
    });
    REQUIRE(it != second.sends.end());
    auto again = decoded(*it);
    // Answered 40 ms later (a slow peer): refuted, the path stays up.
    feed(s.e, 0, "192.0.2.2", msg(wire::type::ack, "h2", again.seq), ms(t0 + 210), second);
    CHECK_FALSE(s.e.view("h2", {0, family::v4}).notice_check_pending());  // refuted (counted, not logged)
    CHECK(s.e.view("h2", {0, family::v4}).notice_refuted_at() == ms(t0 + 210));
    CHECK(s.e.view("h2", {0, family::v4}).state() == path_state::up);
}

TEST_CASE("engine: a doubted notice that both probes leave unanswered still takes the path down") {
    auto c = cfg("h1", true);
    c.fast_confirm = false;  // LAN A's own rounds stay slower than the notice
    two_up s(c);
    auto n = s.notice_from_h2("192.0.2.2");
    engine_output first;  // one refuted notice: the next ones are doubted
    s.e.receive(1, ip("198.51.100.2"), 7793, n.data(), n.size(), ms(401), first);
    feed(s.e, 0, "192.0.2.2", msg(wire::type::ack, "h2", decoded(first.sends.at(0)).seq), ms(402), first);
    REQUIRE(of<fx::notice_refuted>(first) == std::vector<fx::notice_refuted>{fx::notice_refuted{{"h2", "eth0", family::v4}}});
    round(s.e, ms(500), {0, 1});
    // LAN A dead from here (h2 alive on LAN B): a doubted notice at 601.
    engine_output out;
    s.e.receive(1, ip("198.51.100.2"), 7793, n.data(), n.size(), ms(601), out);
    for (timestamp t = s.e.next_wakeup(); t <= ms(702); t = s.e.next_wakeup()) {
        std::size_t done = out.sends.size();
        s.e.tick(t, out);
        answer_inqs(s.e, out, done, {1}, "h2", t + ms(1));
    }
    CHECK(downs(out) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 0, down_reason::peer_notice)});
}

TEST_CASE("engine: notices that prove nothing are ignored") {
    two_up s;
    engine_output out;
    auto same_lan = s.notice_from_h2("192.0.2.2");  // arrives on the LAN it calls dead
    s.e.receive(0, ip("192.0.2.2"), 7793, same_lan.data(), same_lan.size(), ms(s.t + 1), out);
    auto foreign = s.notice_from_h2("203.0.113.9");  // not a LAN of ours
    s.e.receive(1, ip("198.51.100.2"), 7793, foreign.data(), foreign.size(), ms(s.t + 1), out);
    wire::message stranger;
    stranger.kind = wire::type::notice;
    stranger.node_id = "h9";
    stranger.incarnation = 1;
    stranger.interval_us = 100'000;
    stranger.addresses = {ip("192.0.2.2")};
    auto b = wire::encode(stranger);
    s.e.receive(1, ip("198.51.100.9"), 7793, b.data(), b.size(), ms(s.t + 1), out);
    CHECK(of<fx::notice_received>(out).empty());
    CHECK(out.sends.empty());
    CHECK(s.e.peers().count("h9") == 0);  // a notice introduces nobody
    engine_output later;
    s.e.tick(ms(s.t + 50), later);
    CHECK(downs(later).empty());
}

TEST_CASE("engine: a notice of the peer's next incarnation counts (it renewed in that tick), others do not") {
    for (std::uint32_t inc : {8u, 10u, 11u}) {
        CAPTURE(inc);
        two_up s;  // h2 is known with incarnation 9
        engine_output out;
        auto n = s.notice_from_h2("192.0.2.2", inc);
        s.e.receive(1, ip("198.51.100.2"), 7793, n.data(), n.size(), ms(s.t + 1), out);
        CHECK(of<fx::notice_received>(out).empty() == (inc != 10));
        CHECK(s.e.peers().at("h2").incarnation == 9);  // a notice teaches nothing
    }
}

TEST_CASE("engine: a down path gets probe-only INQs by unicast to the peer's own addresses") {
    two_up s;
    long long t = s.t;
    for (; t < s.t + 500; t += 100) round(s.e, ms(t), {1});
    REQUIRE(s.e.view("h2", {0, family::v4}).state() == path_state::down);
    engine_output out;
    s.e.tick(ms(t), out);
    std::string lan_a;
    for (const auto& o : out.sends)
        if (o.lan == 0)
            lan_a += o.dst.to_string() + ((decoded(o).flags & wire::flag_probe_only) ? " probe-only" : "") + "\n";
    // The round's INQ (by unicast: h2 is the only peer) and the warm-up probe.
    CHECK(lan_a == "192.0.2.2\n192.0.2.2 probe-only\n");
}

TEST_CASE("engine: a responder answers a probe-only INQ without counting a round") {
    engine r(cfg("h2", false), two_lans(2), ms(0));
    wire::message m;
    m.kind = wire::type::inq;
    m.node_id = "h1";
    m.incarnation = 9;
    m.interval_us = 100'000;
    m.flags = wire::flag_probe_only;  // and h2 is not listed as heard
    auto b = wire::encode(m);
    for (int i = 0; i < 5; ++i) {
        engine_output out;
        r.receive(0, ip("192.0.2.1"), 7793, b.data(), b.size(), ms(i), out);
        CHECK(out.sends.size() == 1);
    }
    CHECK(r.view("h1", {0, family::v4}).missed() == 0);
}

TEST_CASE("engine: RTT is measured on paths that are up, not on the first answers (they wait for ARP)") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    // Three slow first answers (ARP resolution: 60 ms), then fast ones.
    long long t = 0;
    for (; t < 300; t += 100) {
        engine_output out;
        e.tick(ms(t), out);
        for (const auto& s : out.sends)
            feed(e, s.lan, peer_hops[s.lan], msg(wire::type::ack, "h2", decoded(s).seq), ms(t + 60), out);
    }
    CHECK(e.view("h2", {0, family::v4}).srtt() == duration(0));
    round(e, ms(t), {0, 1});  // answered after 1 ms
    CHECK(e.view("h2", {0, family::v4}).srtt() == ms(1));
}

TEST_CASE("engine: a path learnt from an address list mid-round is not blamed for that round") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    round(e, ms(0), {0});  // h2 answers on LAN A; its LAN B answer "came before" the path existed
    long long t = 100;
    for (; t < 500; t += 100) round(e, ms(t), {0, 1});
    const auto b = e.view("h2", {1, family::v4});
    CHECK(b.state() == path_state::up);
    CHECK(*b.loss_percent(ms(t)) == doctest::Approx(0.0));
    // But a LAN that stays silent still goes down (one round later).
    engine d(cfg("h1", true), two_lans(1), ms(0));
    std::vector<fx::path_changed> went;
    for (long long u = 0; u < 600; u += 100)
        for (auto& x : downs(round(d, ms(u), {0}))) went.push_back(x);
    CHECK(went == std::vector<fx::path_changed>{went_down("h2", "eth1", path_state::init, 3, down_reason::missed)});
}

TEST_CASE("engine: with keys replays are dropped (a round INQ seen before, an older incarnation), without them nothing marks them") {
    // Without keys anyone can send any sequence number: a mark raised by one
    // far ahead (a forgery) would lock the peer's own INQs out.
    engine r(cfg("h2", false), two_lans(2), ms(0));
    auto inq5 = msg(wire::type::inq, "h1", 5, {"h2"});
    engine_output out;
    r.receive(0, ip("192.0.2.1"), 7793, inq5.data(), inq5.size(), ms(1), out);
    auto forged = msg(wire::type::inq, "h1", wire::max_round_seq - 1, {});
    r.receive(0, ip("192.0.2.1"), 7793, forged.data(), forged.size(), ms(2), out);
    auto inq6 = msg(wire::type::inq, "h1", 6, {"h2"});
    r.receive(0, ip("192.0.2.1"), 7793, inq6.data(), inq6.size(), ms(3), out);
    CHECK(r.drops().replay == 0);
    CHECK(r.view("h1", {0, family::v4}).good_rounds() == 2);

    std::string err;
    auto c = cfg("h2", false);
    REQUIRE(c.keys.parse(std::string(64, '7'), "k", err));
    engine keyed(c, two_lans(2), ms(0));
    auto signed_inq = [&](std::uint32_t inc, std::uint32_t seq) {
        wire::message m = std::get<wire::message>(wire::decode(inq5.data(), inq5.size()));
        m.incarnation = inc;
        m.seq = seq;
        return wire::encode(m, c.keys, lan_v4(0));
    };
    auto now_inc = signed_inq(2000, 1), old_inc = signed_inq(1999, 77);
    keyed.receive(0, ip("192.0.2.1"), 7793, now_inc.data(), now_inc.size(), ms(1), out);
    keyed.receive(0, ip("192.0.2.1"), 7793, old_inc.data(), old_inc.size(), ms(2), out);
    CHECK(keyed.drops().replay == 1);
    keyed.receive(0, ip("192.0.2.1"), 7793, now_inc.data(), now_inc.size(), ms(3), out);  // the same again
    CHECK(keyed.drops().replay == 2);
    CHECK(keyed.peers().at("h1").incarnation == 2000);
    auto unsigned_inq = msg(wire::type::inq, "h9", 1);
    keyed.receive(0, ip("192.0.2.9"), 7793, unsigned_inq.data(), unsigned_inq.size(), ms(3), out);
    CHECK(keyed.drops().wire[std::size_t(wire::error::unauthenticated)] == 1);
    CHECK(keyed.peers().count("h9") == 0);
}

TEST_CASE("engine: round sequence numbers never wrap: past the limit a new incarnation, every LAN from 1 again") {
    // h1 (requestor, incarnation 7) may use round sequence numbers up to 5;
    // h2, a keyed responder, hears its rounds on both LANs. Twelve rounds.
    std::string err;
    auto c = cfg("h1", true);
    c.round_seq_limit = 5;
    REQUIRE(c.keys.parse(std::string(64, '7'), "k", err));
    engine e(c, two_lans(1), ms(0));
    auto rc = cfg("h2", false);
    rc.keys = c.keys;
    engine r(rc, two_lans(2), ms(0));
    const char* h1_addr[] = {"192.0.2.1", "198.51.100.1"};
    std::vector<std::pair<std::uint32_t, std::uint32_t>> lan_a;  // (incarnation, seq) of each round INQ
    std::vector<std::vector<std::uint8_t>> sent_a;
    std::vector<fx::incarnation_renewed> renewals;
    engine_output heard;
    for (int i = 0; i < 12; ++i) {
        engine_output out;
        e.tick(ms(100) * i, out);
        for (auto& r : of<fx::incarnation_renewed>(out)) renewals.push_back(r);
        CHECK(out.incarnation_renewed == (i == 5 || i == 10));
        for (const auto& s : out.sends) {
            auto d = wire::decode(s.bytes.data(), s.bytes.size(), c.keys, on_lan(s.lan));
            REQUIRE(std::holds_alternative<wire::message>(d));
            const auto& m = std::get<wire::message>(d);
            if (m.kind != wire::type::inq || (m.flags & wire::flag_probe_only)) continue;
            if (s.lan == 0) {
                lan_a.emplace_back(m.incarnation, m.seq);
                sent_a.push_back(s.bytes);
            }
            engine_output answer;
            r.receive(s.lan, ip(h1_addr[s.lan]), 7793, s.bytes.data(), s.bytes.size(), ms(100) * i + ms(1), answer);
            engine_output back;
            for (const auto& a : answer.sends)  // h2's ACKs: so h1 lists h2 as heard (and its probes)
                feed(e, a.lan, peer_hops[a.lan], a.bytes, ms(100) * i + ms(2), back);
            for (const auto& a : back.sends)  // h1's answers to h2's probes: fresh, with keys
                r.receive(a.lan, ip(h1_addr[a.lan]), 7793, a.bytes.data(), a.bytes.size(), ms(100) * i + ms(3), answer);
            heard.effects.insert(heard.effects.end(), answer.effects.begin(), answer.effects.end());
        }
    }
    const std::vector<std::pair<std::uint32_t, std::uint32_t>> expected = {
        {7, 1}, {7, 2}, {7, 3}, {7, 4}, {7, 5}, {8, 1}, {8, 2}, {8, 3}, {8, 4}, {8, 5}, {9, 1}, {9, 2}};
    CHECK(lan_a == expected);
    CHECK(e.incarnation() == 9);
    CHECK(renewals == std::vector<fx::incarnation_renewed>{{8, 7}, {9, 8}});
    // The peer took every new round, on both LANs (the other LAN counts from
    // 1 again too), and none was a replay.
    CHECK(r.drops().replay == 0);
    CHECK(r.peers().at("h1").incarnation == 9);
    for (std::size_t li : {0, 1}) CHECK(r.view("h1", {li, family::v4}).last_inq_seq() == 2);
    CHECK(downs(heard).empty());
    for (std::size_t li : {0, 1}) CHECK(r.view("h1", {li, family::v4}).state() == path_state::up);
    // An old incarnation's INQ, its sequence number above the current
    // one's, is a replay (keys: incarnations only grow).
    for (std::size_t i : {4, 9}) {
        r.receive(0, ip(h1_addr[0]), 7793, sent_a[i].data(), sent_a[i].size(), ms(1250), heard);
    }
    CHECK(r.drops().replay == 2);
    CHECK(r.view("h1", {0, family::v4}).last_inq_seq() == 2);
    // Our own broadcast of the incarnation before comes back: ours, not a
    // node id collision. Two back, it is long gone: someone else's.
    engine_output own;
    e.receive(0, ip(h1_addr[0]), 7793, sent_a[9].data(), sent_a[9].size(), ms(1250), own);
    CHECK(e.drops().own == 1);
    CHECK(e.drops().id_collision == 0);
    e.receive(0, ip(h1_addr[0]), 7793, sent_a[4].data(), sent_a[4].size(), ms(1250), own);
    CHECK(e.drops().id_collision == 1);
}

TEST_CASE("engine: a renewal comes before anything of its tick, also when the LANs count out of step") {
    // Aligned rounds; LAN B loses carrier for 10 ms and its INQ leaves at
    // once when carrier is back, so it counts one round ahead of LAN A from
    // then on: it reaches the limit in a tick where LAN A has one to go.
    auto c = cfg("h1", true);
    c.round_seq_limit = 6;
    c.wall_offset = ms(0);
    engine e(c, two_lans(1), ms(0));
    auto lans = two_lans(1);
    std::vector<std::uint32_t> seen;  // incarnations seen in the sends
    auto sends_carry_current = [&](const engine_output& out) {
        for (const auto& s : out.sends) {
            const auto m = decoded(s);
            CHECK(m.incarnation == e.incarnation());
            if (seen.empty() || seen.back() != m.incarnation) seen.push_back(m.incarnation);
        }
    };
    std::vector<std::uint32_t> seq_b, seq_a;
    for (long long t = 0; t <= 1500; t += 10) {
        engine_output out;
        if (t == 200 || t == 210) {
            lans[1].carrier = t == 210;
            e.update_lans(lans, ms(t), out);
        }
        if (e.next_wakeup() <= ms(t)) e.tick(ms(t), out);
        sends_carry_current(out);
        for (const auto& s : out.sends)
            if (decoded(s).kind == wire::type::inq) (s.lan == 0 ? seq_a : seq_b).push_back(decoded(s).seq);
    }
    CHECK(seen == std::vector<std::uint32_t>{7, 8, 9});
    // Out of step: LAN B's round 3 (200 ms, no carrier) sent nothing, its
    // round 4 left at once at 210 ms, off the grid. At 500 ms LAN B had used
    // 6, LAN A only 5: both start again at 1, with the new incarnation.
    REQUIRE(seq_a.size() >= 6);
    REQUIRE(seq_b.size() >= 6);
    CHECK(std::vector<std::uint32_t>(seq_a.begin(), seq_a.begin() + 6) == std::vector<std::uint32_t>{1, 2, 3, 4, 5, 1});
    CHECK(std::vector<std::uint32_t>(seq_b.begin(), seq_b.begin() + 6) == std::vector<std::uint32_t>{1, 2, 4, 5, 6, 1});
}

TEST_CASE("engine: with a seed, each incarnation's rounds start at random in the lower half of the range") {
    auto c = cfg("h1", true);
    c.round_seq_limit = 40;
    c.seq_seed = 12345;
    engine e(c, two_lans(1), ms(0));
    std::map<std::uint32_t, std::vector<std::uint32_t>> lan_a;  // round INQ sequence numbers, by incarnation
    for (int i = 0; i < 400; ++i) {
        engine_output out;
        e.tick(ms(100) * i, out);
        for (const auto& s : out.sends)
            if (s.lan == 0 && decoded(s).kind == wire::type::inq) lan_a[decoded(s).incarnation].push_back(decoded(s).seq);
    }
    REQUIRE(lan_a.size() >= 10);
    std::set<std::uint32_t> firsts;
    for (const auto& [inc, seqs] : lan_a) {
        CHECK(seqs.front() >= 1);
        CHECK(seqs.front() <= 21);  // start + 1, the start at most 40 / 2
        for (std::size_t j = 1; j < seqs.size(); ++j) CHECK(seqs[j] == seqs[j - 1] + 1);
        if (inc != lan_a.rbegin()->first) CHECK(seqs.back() == 40);  // each ran to the limit, and no further
        firsts.insert(seqs.front());
    }
    CHECK(firsts.size() >= 5);  // a new start for every incarnation, not one for all
    // Without a seed, from 1 in every incarnation (so tests can name them).
    c.seq_seed.reset();
    engine plain(c, two_lans(1), ms(0));
    engine_output out;
    plain.tick(ms(0), out);
    CHECK(decoded(out.sends.at(0)).seq == 1);
}

TEST_CASE("engine: with a seed, probe-only INQs count from a random start too") {
    std::set<std::uint32_t> probes;
    for (std::optional<std::uint64_t> seed : {std::optional<std::uint64_t>(), std::optional<std::uint64_t>(1),
                                              std::optional<std::uint64_t>(2)}) {
        auto c = cfg("h1", true);
        c.seq_seed = seed;
        two_up s(c);
        engine_output out;
        auto n = s.notice_from_h2("192.0.2.2");
        s.e.receive(1, ip("198.51.100.2"), 7793, n.data(), n.size(), ms(s.t + 1), out);
        const auto probe = decoded(out.sends.at(0));
        REQUIRE((probe.flags & wire::flag_probe_only));
        CHECK((probe.seq & wire::probe_seq_bit));
        if (!seed) CHECK(probe.seq < (wire::probe_seq_bit | 100));  // counted from 1 (proof probes came first)
        probes.insert(probe.seq);
    }
    CHECK(probes.size() == 3);
}

TEST_CASE("engine: ACKs recorded before a restart answer no round after it when the rounds start at random") {
    // With keys, an ACK carries the responder's incarnation and the number
    // of the INQ it answers, not ours. h1, a requestor, meets h2, a
    // responder, in a first life, and h2's ACKs on LAN A are recorded. h1
    // restarts; LAN A is dead from then on, but an attacker on it plays the
    // recording back: whenever h1's INQ there has the number of a recorded
    // ACK, that ACK. Rounds from 1 in both lives: the dead LAN comes up.
    // Rounds from a random start: it never does, and h1 routes around it.
    std::string err;
    keyring keys;
    REQUIRE(keys.parse(std::string(64, '7'), "k", err));
    const char* h1_addr[] = {"192.0.2.1", "198.51.100.1"};
    struct life {
        std::vector<fx::path_changed> ups;
        path_state a = path_state::init;
        std::string routes;
        std::set<std::uint32_t> seqs;  // of LAN A's INQs
    };
    auto lives = [&](std::optional<std::uint64_t> seed1, std::optional<std::uint64_t> seed2) {
        auto rc = cfg("h2", false);
        rc.keys = keys;
        engine r(rc, two_lans(2), ms(0));
        std::map<std::uint32_t, std::vector<std::uint8_t>> recorded;  // h2's ACKs on LAN A, by number
        auto live = [&](std::optional<std::uint64_t> seed, std::uint32_t incarnation, long long t0, bool a_alive) {
            auto c = cfg("h1", true);
            c.keys = keys;
            c.incarnation = incarnation;
            c.seq_seed = seed;
            engine e(c, two_lans(1), ms(t0));
            life l;
            for (int i = 0; i < 40; ++i) {
                const timestamp now = ms(t0 + 100 * i);
                engine_output out;
                e.tick(now, out);
                // Everything h1 sends (its INQs, its answers to h2's probes)
                // reaches h2 where the LAN works, and h2's answers come back.
                for (std::size_t k = 0; k < out.sends.size(); ++k) {
                    const outgoing s = out.sends[k];  // a copy: feeding adds sends
                    const auto m = std::get<wire::message>(wire::decode(s.bytes.data(), s.bytes.size(), keys, on_lan(s.lan)));
                    if (m.kind == wire::type::inq && s.lan == 0 && !(m.flags & wire::flag_probe_only)) l.seqs.insert(m.seq);
                    if (s.lan == 1 || a_alive) {
                        engine_output answer;
                        r.receive(s.lan, ip(h1_addr[s.lan]), 7793, s.bytes.data(), s.bytes.size(), now + ms(1), answer);
                        for (const auto& a : answer.sends) {
                            const bool ack = std::get<wire::message>(wire::decode(a.bytes.data(), a.bytes.size(), keys,
                                                                                  on_lan(a.lan))).kind == wire::type::ack;
                            if (a.lan == 0 && ack && m.kind == wire::type::inq) recorded[m.seq] = a.bytes;
                            feed(e, a.lan, peer_hops[a.lan], a.bytes, now + ms(2), out);
                        }
                    } else if (auto it = recorded.find(m.seq); m.kind == wire::type::inq && it != recorded.end()) {
                        feed(e, 0, peer_hops[0], it->second, now + ms(2), out);
                    }
                }
                for (auto& u : ups(out)) l.ups.push_back(u);
            }
            l.a = e.view("h2", {0, family::v4}).state();
            l.routes = routes(e);
            return l;
        };
        const life first = live(seed1, 7, 0, true);
        CHECK(first.a == path_state::up);
        CHECK(recorded.size() >= 39);
        return std::make_pair(first, live(seed2, 8, 10'000, false));
    };

    auto up_on = [](const std::vector<fx::path_changed>& ups, const char* lan) {
        return std::any_of(ups.begin(), ups.end(), [&](const fx::path_changed& c) { return c.path.lan == lan; });
    };
    SUBCASE("rounds from 1 in every life: the recording answers the new rounds") {
        const auto [first, second] = lives(std::nullopt, std::nullopt);
        CHECK(second.seqs == first.seqs);
        CHECK(up_on(second.ups, "eth0"));
        CHECK(second.a == path_state::up);
        CHECK(second.routes.empty());
    }
    SUBCASE("rounds from a random start: the recording answers none") {
        const auto [first, second] = lives(1, 2);
        std::vector<std::uint32_t> both;
        std::set_intersection(first.seqs.begin(), first.seqs.end(), second.seqs.begin(), second.seqs.end(),
                              std::back_inserter(both));
        CHECK(both.empty());
        CHECK_FALSE(up_on(second.ups, "eth0"));
        CHECK(up_on(second.ups, "eth1"));
        CHECK(second.a == path_state::down);
        CHECK(second.routes == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
    }
}

TEST_CASE("engine: the peer table is bounded, peers without a live path make room, the others never") {
    auto c = cfg("h1", false);
    c.max_peers = 3;
    engine e(c, two_lans(1), ms(0));
    engine_output out;
    for (int i = 2; i <= 9; ++i) {  // a flood of node ids
        auto b = msg(wire::type::inq, ("n" + std::to_string(i)).c_str(), 1);
        e.receive(0, ip("192.0.2.77"), 7793, b.data(), b.size(), ms(i), out);
    }
    CHECK(e.peers().size() == 3);
    CHECK(left(out, fx::peer_left::why::evicted).size() > 0);
    CHECK(e.peers().count("n9") == 1);  // the newest are kept, the oldest silent ones went
}

TEST_CASE("engine: a peer up on two LANs is never evicted for a newcomer, however long it was quiet") {
    // Without keys node ids cost nothing: only a peer with paths up on two
    // LANs through proven next hops is sure to be a host of ours. h2 is;
    // invented ids (one per source) fill the table after h2 was last heard.
    auto c = cfg("h1", true);
    c.max_peers = 4;
    two_up s(c);
    REQUIRE(s.e.view("h2", {1, family::v4}).state() == path_state::up);
    engine_output out;
    for (int i = 10; i < 40; ++i) {
        auto b = msg(wire::type::inq, ("n" + std::to_string(i)).c_str(), 1);
        const std::string from = "192.0.2." + std::to_string(i);
        s.e.receive(0, ip(from.c_str()), 7793, b.data(), b.size(), ms(s.t + i), out);
    }
    CHECK(s.e.peers().size() == 4);
    CHECK(s.e.peers().count("h2") == 1);
    CHECK(s.e.peers().count("n39") == 1);
}

TEST_CASE("engine: a replayed ACK from elsewhere on the LAN moves nothing (next hop, notices)") {
    two_up s;
    auto old_ack = msg(wire::type::ack, "h2", 1);  // an ACK of an earlier round, replayed from 198.51.100.66
    engine_output out;
    s.e.receive(1, ip("198.51.100.66"), 7793, old_ack.data(), old_ack.size(), ms(s.t + 1), out);
    CHECK(s.e.view("h2", {1, family::v4}).hop() == ip("198.51.100.2"));
    CHECK_FALSE(out.paths_changed);
}

TEST_CASE("engine: no warm-up probes for peers that were never up (a flood of forged ids)") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    engine_output out;
    auto forged = msg(wire::type::inq, "n7", 1);  // advertises .7 addresses that may not exist
    e.receive(1, ip("198.51.100.7"), 7793, forged.data(), forged.size(), ms(1), out);
    for (long long t = 0; t < 1000; t += 100) {
        engine_output o;
        e.tick(ms(t), o);
        for (const auto& snd : o.sends) CHECK(snd.dst.to_string() != "192.0.2.7");  // only broadcasts
    }
    CHECK(e.view("n7", {0, family::v4}).state() == path_state::down);
}

TEST_CASE("engine: at most 20 peer lines a second, the rest is counted in one line") {
    auto c = cfg("h1", false);
    engine e(c, two_lans(1), ms(0));
    engine_output out;
    for (int i = 0; i < 100; ++i) {
        auto b = msg(wire::type::inq, ("f" + std::to_string(i) + "_9").c_str(), 1);
        const std::string from = "192.0.2." + std::to_string(100 + i);  // (at most 8 new ids a source)
        e.receive(0, ip(from.c_str()), 7793, b.data(), b.size(), ms(100 + i), out);
    }
    CHECK(of<fx::peer_seen>(out).size() == 20);
    auto later = msg(wire::type::inq, "g1", 1);
    e.receive(0, ip("192.0.2.201"), 7793, later.data(), later.size(), ms(1200), out);
    CHECK(of<fx::log_suppressed>(out) == std::vector<fx::log_suppressed>{{80}});
}

TEST_CASE("engine: a down path the peer speaks on is kept even when its address list no longer covers it") {
    // Found by ASan: learn() forgot the path the datagram arrived on while
    // receive() still held it. The path is kept; the others follow the rule.
    engine e(cfg("h1", true), two_lans(1), ms(0));
    long long t = 0;
    for (; t < 400; t += 100) round(e, ms(t), {0, 1});
    for (; t < 900; t += 100) round(e, ms(t), {1});
    REQUIRE(e.view("h2", {0, family::v4}).state() == path_state::down);
    wire::message m;
    m.kind = wire::type::inq;
    m.node_id = "h2";
    m.incarnation = 9;
    m.seq = 1000;
    m.interval_us = 100'000;
    m.addresses = {ip("198.51.100.2")};  // says nothing of LAN A, yet arrives on LAN A
    auto b = wire::encode(m);
    engine_output out;
    e.receive(0, ip("192.0.2.2"), 7793, b.data(), b.size(), ms(t), out);
    CHECK(e.peers().at("h2").paths.count({0, family::v4}) == 1);
    CHECK(of<fx::path_forgotten>(out).empty());
}

namespace {

/// The sequence number of the round INQ sent on LAN `lan` in `out`.
std::uint32_t round_seq(const engine_output& out, std::size_t lan) {
    for (const auto& o : out.sends) {
        auto m = decoded(o);
        if (o.lan == lan && m.kind == wire::type::inq && !(m.flags & wire::flag_probe_only)) return m.seq;
    }
    FAIL("no round INQ on LAN ", lan);
    return 0;
}

path_view lan_a(const engine& e) { return e.view("h2", {0, family::v4}); }

}  // namespace

TEST_CASE("engine: fast confirmation: a missed ACK is re-probed at once, f misses within a few timeouts") {
    two_up s;  // RTT 1 ms: the timeout is the floor, interval / 10 = 10 ms
    tick_answered(s.e, ms(400), {1});  // LAN A silent from here
    CHECK(s.e.next_wakeup() == ms(410));

    for (long long at : {410, 420}) {
        CAPTURE(at);
        engine_output o;
        s.e.tick(ms(at), o);
        CHECK(lan_a(s.e).state() == path_state::up);
        // Without keys the round INQ's silence is only suspected (owed);
        // the retry's silence confirms it, and counts itself.
        CHECK(lan_a(s.e).missed() == (at == 410 ? 0u : 2u));
        CHECK(lan_a(s.e).owed() == (at == 410 ? 1u : 0u));
        // The retry: one probe-only INQ by unicast to h2 on LAN A, and its
        // control beside it on LAN B (which h2 answers), nothing else.
        REQUIRE(o.sends.size() == 2);
        CHECK(o.sends[0].lan == 0);
        CHECK(o.sends[0].dst == ip("192.0.2.2"));
        CHECK(o.sends[1].lan == 1);
        CHECK(o.sends[1].dst == ip("198.51.100.2"));
        for (const auto& sent : o.sends) {
            auto m = decoded(sent);
            CHECK(m.kind == wire::type::inq);
            CHECK((m.flags & wire::flag_probe_only));
        }
        std::size_t done = 0;
        answer_inqs(s.e, o, done, {1}, "h2", ms(at + 1));
        CHECK(s.e.next_wakeup() == ms(at + 10));
        CHECK(routes(s.e).empty());
    }
    engine_output down;
    s.e.tick(ms(430), down);
    CHECK(downs(down) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 3, down_reason::missed)});
    CHECK(routes(s.e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
    // Down: no more retries; the rounds (and their warm-up probes) take over.
    CHECK(s.e.next_wakeup() == ms(500));

    // The next round counts no fourth miss for the probes already judged.
    auto next = tick_answered(s.e, ms(500), {1});
    CHECK(lan_a(s.e).missed() == 3);
}

TEST_CASE("engine: fast confirmation: a late ACK to an earlier probe still shows the path works") {
    two_up s;
    auto r = tick_answered(s.e, ms(400), {1});
    const std::uint32_t first = round_seq(r, 0);
    engine_output retry;
    s.e.tick(ms(410), retry);
    REQUIRE(retry.sends.size() == 2);  // the retry, and its control on LAN B
    CHECK(lan_a(s.e).owed() == 1);  // suspected (no keys), not yet counted

    // The answer to the round's INQ arrives after the retry left.
    engine_output late;
    feed(s.e, 0, "192.0.2.2", msg(wire::type::ack, "h2", first), ms(412), late);
    CHECK(lan_a(s.e).missed() == 0);
    CHECK(lan_a(s.e).owed() == 0);
    CHECK(lan_a(s.e).state() == path_state::up);
    CHECK(lan_a(s.e).answered());
    CHECK(s.e.next_wakeup() == ms(500));  // nothing pending any more
    // Karn: an answer after a retry is no RTT sample (it would say 12 ms).
    CHECK(lan_a(s.e).srtt() == ms(1));
    // A second copy of it moves nothing (it is no longer awaited).
    engine_output again;
    feed(s.e, 0, "192.0.2.2", msg(wire::type::ack, "h2", first), ms(413), again);
    CHECK(again.effects.empty());
}

TEST_CASE("engine: fast confirmation: an answered retry counts, and is no RTT sample either") {
    two_up s;
    tick_answered(s.e, ms(400), {1});
    engine_output retry;
    s.e.tick(ms(410), retry);
    REQUIRE(retry.sends.size() == 2);  // the retry, and its control on LAN B
    REQUIRE(retry.sends[0].lan == 0);
    const std::uint32_t seq = decoded(retry.sends[0]).seq;
    CHECK((seq & 0x80000000u));  // never a round's sequence number
    // An ACK with another sequence number is no answer.
    engine_output wrong;
    feed(s.e, 0, "192.0.2.2", msg(wire::type::ack, "h2", seq + 1), ms(411), wrong);
    CHECK(lan_a(s.e).owed() == 1);
    engine_output answered;
    feed(s.e, 0, "192.0.2.2", msg(wire::type::ack, "h2", seq), ms(415), answered);
    CHECK(lan_a(s.e).missed() == 0);
    CHECK(lan_a(s.e).owed() == 0);
    CHECK(lan_a(s.e).srtt() == ms(1));
    CHECK(s.e.next_wakeup() == ms(500));
    // The next rounds are ordinary ones again, and measure RTT again.
    round(s.e, ms(500), {0, 1}, ms(2));
    CHECK(lan_a(s.e).srtt() > ms(1));
}

TEST_CASE("engine: fast confirmation: the retry timeout follows the measured RTT (srtt + 4 x rttvar)") {
    two_up s(cfg("h1", true), ms(20));  // one sample at 300: srtt 20 ms, rttvar 10 ms
    CHECK(lan_a(s.e).srtt() == ms(20));
    CHECK(lan_a(s.e).rttvar() == ms(10));
    tick_answered(s.e, ms(400), {1}, ms(20));
    CHECK(s.e.next_wakeup() == ms(460));
}

TEST_CASE("engine: fast confirmation off, or a timeout as long as the interval: the rounds decide") {
    auto off = cfg("h1", true);
    off.fast_confirm = false;
    auto long_floor = cfg("h1", true);
    long_floor.confirm_floor = ms(100);
    auto short_floor = cfg("h1", true);
    short_floor.confirm_floor = ms(4);
    SUBCASE("a configured floor below the default") {
        two_up s(short_floor);
        tick_answered(s.e, ms(400), {1});
        CHECK(s.e.next_wakeup() == ms(404));
    }
    for (const auto& c : {off, long_floor}) {
        CAPTURE(c.fast_confirm);
        two_up s(c);
        tick_answered(s.e, ms(400), {1});
        CHECK(s.e.next_wakeup() == ms(500));
        std::vector<fx::path_changed> went;
        for (long long t = 500; t <= 700; t += 100) {
            auto o = round(s.e, ms(t), {1});
            // No retries: the one probe-only INQ of a round is the check of
            // the miss its close suspects (no keys), sent with the round's INQs.
            if (t < 700) {  // (at 700 the path goes down: then warm-up probes follow)
                std::size_t probes = 0;
                for (const auto& snd : o.sends) probes += (decoded(snd).flags & wire::flag_probe_only) != 0;
                CHECK(probes == 1);
            }
            for (auto& d : downs(o)) went.push_back(d);
            if (t < 700) CHECK(went.empty());
        }
        CHECK(went == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 3, down_reason::missed)});
    }
}

TEST_CASE("engine: fast confirmation: a peer that answers on no LAN (a stall) is judged by the rounds") {
    two_up s;
    tick_answered(s.e, ms(400), {});  // h2 answers nowhere: it pauses, or both LANs died
    engine_output o;
    s.e.tick(ms(410), o);
    CHECK(o.sends.empty());  // no retry
    CHECK(lan_a(s.e).missed() == 0);
    CHECK(s.e.next_wakeup() == ms(500));
    engine_output closed;
    s.e.tick(ms(500), closed);
    // Both paths silent at once, a mass silence (stall_guard): the round's
    // miss is held for a fresh probe that waits stall_guard::longest_stall
    // (250 ms: more than the 100 ms interval), not 10 ms.
    advance(s.e, ms(700), closed);  // it goes unanswered, so does the round of 600
    CHECK(lan_a(s.e).missed() == 0);
    CHECK(lan_a(s.e).owed() >= 1);
    engine_output at700;
    s.e.tick(ms(700), at700);
    CHECK(lan_a(s.e).missed() == 0);  // still held: the wait ends at 750
    SUBCASE("h2 is back before the wait ends: nothing counted, nothing went down") {
        std::size_t done = 0;
        answer_inqs(s.e, at700, done, {0, 1}, "h2", ms(701));
        CHECK(lan_a(s.e).missed() == 0);
        CHECK(lan_a(s.e).state() == path_state::up);
        CHECK(downs(closed).empty());
        CHECK(downs(at700).empty());
    }
    SUBCASE("h2 stays silent: at the wait's end the rounds count (f = 3 of them), and the paths go down") {
        CHECK(downs(closed).empty());
        CHECK(downs(at700).empty());
        engine_output at750;
        advance(s.e, ms(751), at750);
        CHECK(lan_a(s.e).state() == path_state::down);
        CHECK(!downs(at750).empty());
    }
}

TEST_CASE("engine: no probes in a family without a routable address on any LAN (IPv6 link-local only)") {
    auto lans = two_lans(1);
    lans[0].link_local = ip("fe80::1");
    lans[1].link_local = ip("fe80::2");
    engine e(cfg("h1", true), lans, ms(0));
    auto count = [](const engine_output& o, family f) {
        return std::count_if(o.sends.begin(), o.sends.end(), [f](const outgoing& s) { return s.dst.fam() == f; });
    };
    engine_output first;
    e.tick(ms(0), first);
    CHECK(count(first, family::v4) == 2);
    CHECK(count(first, family::v6) == 0);  // nothing IPv6 could ever be routed
    // A global IPv6 address on LAN A: both LANs probe IPv6 now (LAN B's
    // link-local next hops are where LAN A's IPv6 would fail over to).
    lans[0].addrs.push_back(*prefix::parse("2001:db8:a::1/64"));
    engine_output changed;
    e.update_lans(lans, ms(50), changed);
    engine_output second;
    e.tick(ms(100), second);
    CHECK(count(second, family::v4) == 2);
    CHECK(count(second, family::v6) == 2);
}

namespace {

/// h2's round INQ as a requestor with mutual rounds (flags as given).
std::vector<std::uint8_t> h2_inq(std::uint32_t seq, std::vector<std::string> heard,
                                 std::uint8_t flags = wire::flag_mutual) {
    auto bytes = msg(wire::type::inq, "h2", seq, std::move(heard));
    auto m = std::get<wire::message>(wire::decode(bytes.data(), bytes.size()));
    m.flags = flags;
    return wire::encode(m);
}

/// h1 (a requestor with mutual rounds) and a simulated h2 that sends its
/// round INQs 30 ms into each of h1's rounds on the LANs in `alive`,
/// listing h1 while `lists_h1`, and answers what asks for an answer (ACK
/// rounds, retries) `answer_ms` (whole ms, at least 1) later on those LANs.
struct mutual_pair {
    engine e;
    std::vector<std::size_t> alive{0, 1};
    bool lists_h1 = true;
    long long h2_offset = 30;
    long long answer_ms = 1;
    std::uint32_t h2_seq = 0;
    long long t = 0;
    engine_output log;  ///< everything h1 did
    struct pending_ack {
        long long at;
        std::size_t lan;
        std::uint32_t seq;
    };
    std::vector<pending_ack> acks;  ///< h2's answers on their way
    explicit mutual_pair(engine_config c = cfg("h1", true)) : e(std::move(c), two_lans(1), ms(0)) {}

    bool on(std::size_t lan) const { return std::count(alive.begin(), alive.end(), lan) > 0; }
    bool deaf = false;  ///< h2 answers nothing (stalled, or it hears none of ours)
    void answer(const engine_output& out, long long now) {
        if (deaf || !lists_h1) return;  // not listing h1 means it hears none of h1's datagrams
        for (const auto& s : out.sends) {
            auto m = decoded(s);
            bool wants = (m.flags & (wire::flag_ack_wanted | wire::flag_probe_only)) || !(m.flags & wire::flag_mutual);
            if (m.kind == wire::type::inq && wants && on(s.lan)) acks.push_back({now + answer_ms, s.lan, m.seq});
        }
    }
    /// Runs h1 (every wakeup) and h2 until `until` ms.
    void run(long long until) {
        for (; t < until; ++t) {
            for (auto it = acks.begin(); it != acks.end();) {
                if (it->at > t) {
                    ++it;
                    continue;
                }
                feed(e, it->lan, peer_hops[it->lan], msg(wire::type::ack, "h2", it->seq), ms(t), log);
                it = acks.erase(it);
            }
            if (e.next_wakeup() <= ms(t)) {
                engine_output out;
                e.tick(ms(t), out);
                answer(out, t);
                log.sends.insert(log.sends.end(), out.sends.begin(), out.sends.end());
                log.effects.insert(log.effects.end(), out.effects.begin(), out.effects.end());
            }
            if (t % 100 == h2_offset) {
                ++h2_seq;
                for (std::size_t lan : alive) {
                    engine_output out;
                    feed(e, lan, peer_hops[lan], h2_inq(h2_seq, lists_h1 ? std::vector<std::string>{"h1"}
                                                                          : std::vector<std::string>{}),
                         ms(t), out);
                    answer(out, t);
                    log.sends.insert(log.sends.end(), out.sends.begin(), out.sends.end());
                    log.effects.insert(log.effects.end(), out.effects.begin(), out.effects.end());
                }
            }
        }
    }
    path_view lan(std::size_t li) const { return e.view("h2", {li, family::v4}); }
    engine_output take() { return std::exchange(log, {}); }
};

std::size_t count_sends(const engine_output& out, wire::type kind, std::uint8_t flag = 0) {
    return std::size_t(std::count_if(out.sends.begin(), out.sends.end(), [&](const outgoing& s) {
        auto m = decoded(s);
        return m.kind == kind && (flag == 0 || (m.flags & flag));
    }));
}

}  // namespace

TEST_CASE("engine: mutual rounds: two requestors ACK only every 64th INQ and judge each other by their INQs") {
    mutual_pair s;
    s.run(1000);
    CHECK(s.lan(0).state() == path_state::up);
    CHECK(s.lan(1).state() == path_state::up);
    auto steady = s.take();
    // The first round wants ACKs, and so does the first after the paths
    // came up (no RTT yet), and then seven more, for an estimate of eight
    // samples (one slow sample at start-up must not set it for 64 rounds).
    CHECK(count_sends(steady, wire::type::inq, wire::flag_ack_wanted) == 2 * (1 + 1 + 7));
    // The first two of them are broadcasts (the first round; a path without
    // an RTT); the seven after the first sample go to h2 by unicast.
    std::size_t unicast_acks = 0;
    for (const auto& o : steady.sends) {
        auto m = decoded(o);
        if (m.kind == wire::type::inq && (m.flags & wire::flag_ack_wanted) && o.dst == ip(peer_hops[o.lan]))
            ++unicast_acks;
    }
    CHECK(unicast_acks == 2 * 7);
    CHECK(s.lan(0).srtt() == ms(1));
    s.run(7400);
    auto out = s.take();
    // h1: 64 rounds x 2 LANs of INQs, all flagged mutual, every 64th (6400)
    // wanting an ACK; h2's 64 x 2 INQs got no ACK (they did not want one).
    CHECK(count_sends(out, wire::type::inq, wire::flag_mutual) == 128);
    CHECK(count_sends(out, wire::type::inq, wire::flag_ack_wanted) == 2);
    CHECK(count_sends(out, wire::type::ack) == 0);
    // Every 16th round is a broadcast all the same (1600, 3200, 4800, 6400),
    // to find responders; the others go to h2 by unicast.
    auto broadcast = [](const outgoing& o) { return o.dst == ip("192.0.2.255") || o.dst == ip("198.51.100.255"); };
    CHECK(std::count_if(out.sends.begin(), out.sends.end(), broadcast) == 8);
    for (const auto& o : out.sends)
        if (decoded(o).flags & wire::flag_ack_wanted) CHECK(broadcast(o));
    CHECK(s.lan(0).missed() == 0);
    CHECK(s.lan(0).srtt() == ms(1));  // from the ACK rounds
    // h1's INQs list h2: it hears h2's INQs (h2 judges h1 by that).
    for (const auto& o : out.sends) CHECK(decoded(o).heard == std::vector<std::string>{"h2"});
    CHECK(downs(out).empty());
    CHECK(ups(steady) == std::vector<fx::path_changed>{went_up("h2", "eth0", path_state::init, 3), went_up("h2", "eth1", path_state::init, 3)});

    // An INQ of h2's that wants an ACK gets one.
    engine_output o;
    feed(s.e, 0, "192.0.2.2", h2_inq(100, {"h1"}, wire::flag_mutual | wire::flag_ack_wanted), ms(2630), o);
    REQUIRE(o.sends.size() == 1);
    CHECK(decoded(o.sends[0]).kind == wire::type::ack);
    CHECK(o.sends[0].dst == ip("192.0.2.2"));
}

TEST_CASE("engine: mutual rounds: after the first eight, a slow RTT sample moves the estimate by a quarter, no more ACKs") {
    mutual_pair s;
    s.run(12800);
    REQUIRE(s.lan(0).srtt() == ms(1));
    s.take();
    // Round 128 (12800 ms): its ACKs take 8 ms, under the retry timeout's
    // floor (10 ms), so they are samples: 8 ms against 1 sets srtt to 2.75 ms.
    s.answer_ms = 8;
    s.run(12801);
    s.answer_ms = 1;
    s.run(19100);
    // No burst after it: the next ACK round is round 192. On a busy LAN of
    // many peers, samples that look off come every 64 rounds.
    CHECK(count_sends(s.take(), wire::type::inq, wire::flag_ack_wanted) == 2);
    CHECK(s.lan(0).srtt() == duration(2750));
    CHECK(s.lan(0).missed() == 0);
}

TEST_CASE("engine: mutual rounds: a path that goes down in its first RTT rounds comes back without the rest of them") {
    mutual_pair s;
    s.run(100);  // h2 known (its first INQs at 30 ms)
    while (s.t < 3000 && s.lan(0).srtt() == duration(0)) s.run(s.t + 10);
    REQUIRE(s.lan(0).srtt() == ms(1));
    REQUIRE(s.lan(0).rtt_burst_left() == 7);
    s.run(s.t + 150);  // one or two of the 7 rounds
    REQUIRE(s.lan(0).rtt_burst_left() > 0);
    s.alive = {1};     // then LAN A falls silent
    while (s.t < 4000 && s.lan(0).state() != path_state::down) s.run(s.t + 10);
    REQUIRE(s.lan(0).state() == path_state::down);
    CHECK(s.lan(0).rtt_burst_left() == 0);
    s.alive = {0, 1};
    while (s.t < 6000 && s.lan(0).state() != path_state::up) s.run(s.t + 10);
    REQUIRE(s.lan(0).state() == path_state::up);
    s.take();
    // Up again: no ACK round on LAN A until round 64 (its RTT is known).
    s.run(6300);
    auto after = s.take();
    CHECK(std::count_if(after.sends.begin(), after.sends.end(), [](const outgoing& o) {
              return o.lan == 0 && (decoded(o).flags & wire::flag_ack_wanted);
          }) == 0);
    CHECK(count_sends(after, wire::type::inq, wire::flag_mutual) > 0);
}

TEST_CASE("engine: mutual rounds: a silent LAN: the missing INQ counts at its deadline, retries do the rest") {
    mutual_pair s;
    s.run(2000);
    REQUIRE(s.lan(0).state() == path_state::up);
    REQUIRE(s.lan(0).srtt() == ms(1));
    s.take();
    s.alive = {1};  // LAN A silent from 2000: h2's INQ of 2030 does not arrive
    // Due at 1930 + 100 + 10 (the retry timeout: the floor, t / 10).
    s.run(2040);
    CHECK(s.lan(0).missed() == 0);
    CHECK(s.lan(0).owed() == 0);
    s.run(2041);
    CHECK(s.lan(0).owed() == 1);  // suspected (no keys): the retry checks it
    CHECK(s.lan(0).missed() == 0);
    auto first = s.take();
    // The retry on LAN A, and its control on LAN B.
    REQUIRE(count_sends(first, wire::type::inq, wire::flag_probe_only) == 2);
    CHECK(first.sends[first.sends.size() - 2].dst == ip("192.0.2.2"));
    CHECK(first.sends.back().dst == ip("198.51.100.2"));
    s.run(2061);
    auto down = s.take();
    CHECK(downs(down) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 3, down_reason::missed)});
    CHECK(routes(s.e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
    CHECK(s.lan(1).state() == path_state::up);

    // LAN A back: h2's INQs listing h1 bring it up after s = 3; the route goes.
    s.alive = {0, 1};
    s.run(2300);
    CHECK(s.lan(0).state() == path_state::down);
    s.run(2400);
    CHECK(s.lan(0).state() == path_state::up);
    CHECK(routes(s.e).empty());
}

TEST_CASE("engine: mutual rounds: a peer whose INQs are all late costs a check each, no retries, no path") {
    // Without keys a late INQ is a suspected miss: one probe-only INQ per
    // LAN checks it (no retry chain: the round came on no other LAN). h2
    // answers them, so nothing counts.
    mutual_pair s;
    s.run(2000);
    s.take();
    s.h2_offset = 75;  // this round's INQs come 45 ms late on both LANs
    s.run(2100);
    auto out = s.take();
    CHECK(count_sends(out, wire::type::inq, wire::flag_probe_only) == 2);
    CHECK(downs(out).empty());
    CHECK(s.lan(0).missed() == 0);
    CHECK(*s.lan(0).loss_percent(ms(2100)) == doctest::Approx(0.0));
    CHECK(s.lan(0).state() == path_state::up);
    CHECK(s.lan(1).state() == path_state::up);
    // A real stall: h2 sends and answers nothing for 150 ms. Every path is
    // silent at once (stall_guard): the misses are held for a fresh probe
    // that waits stall_guard::longest_stall (250 ms); h2 is back before it
    // ends, so nothing counts (with a wait of one interval, the misses
    // counted at 2650).
    s.h2_offset = 30;
    s.run(2500);
    s.take();
    s.deaf = true;
    s.alive = {};
    s.run(2639);
    CHECK(*s.lan(0).loss_percent(ms(2639)) == doctest::Approx(0.0));
    s.run(2650);
    CHECK(*s.lan(0).loss_percent(ms(2650)) == doctest::Approx(0.0));
    s.deaf = false;
    s.alive = {0, 1};
    s.run(2800);
    CHECK(*s.lan(0).loss_percent(ms(2800)) == doctest::Approx(0.0));
    CHECK(downs(s.take()).empty());
    CHECK(s.lan(0).state() == path_state::up);
    CHECK(s.lan(0).missed() == 0);
}

TEST_CASE("engine: a probe whose round has closed is no longer overdue: its path answers again for fast confirmation") {
    // Both ACKs of the round at 400 are late (h2 answers neither): at 410
    // neither path is judged by its timeout (h2 answers nowhere). Then h2
    // turns out a requestor with mutual rounds: its INQs list h1 on both
    // LANs, so neither path awaits an ACK any more, and both have good
    // rounds. When LAN A's next INQ is missing, LAN B answers (its INQ of
    // 520 came): fast confirmation retries LAN A at once.
    two_up s;
    tick_answered(s.e, ms(400), {});
    engine_output late;
    s.e.tick(ms(410), late);
    REQUIRE(late.sends.empty());
    engine_output inqs;
    for (std::size_t li : {0, 1}) feed(s.e, li, peer_hops[li], h2_inq(1, {"h1"}), ms(420), inqs);
    REQUIRE(s.e.peers().at("h2").mutual);
    engine_output round_out;
    s.e.tick(ms(500), round_out);
    feed(s.e, 1, peer_hops[1], h2_inq(2, {"h1"}), ms(520), round_out);  // LAN A's does not come
    engine_output due;
    s.e.tick(ms(530), due);
    CHECK(of<fx::probe_retry>(due).size() == 1);
    REQUIRE(due.sends.size() == 2);  // the retry, and its control on LAN B
    CHECK(due.sends[0].dst == ip("192.0.2.2"));
    CHECK(due.sends[1].dst == ip("198.51.100.2"));
}

TEST_CASE("engine: mutual rounds: a peer that no longer hears us is a one-way failure") {
    mutual_pair s;
    s.run(2000);
    s.take();
    s.lists_h1 = false;  // h2's INQs arrive, but h2 hears none of ours
    // Every path at once: a mass silence (stall_guard), each miss's check
    // waits an interval for an answer; unanswered, the misses count.
    s.run(2500);
    auto out = s.take();
    CHECK(downs(out) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 3, down_reason::one_way), went_down("h2", "eth1", path_state::up, 3, down_reason::one_way)});
}

TEST_CASE("engine: mutual rounds need both sides: a requestor without them is ACKed and must ACK") {
    for (bool ours : {true, false}) {
        CAPTURE(ours);
        auto c = cfg("h1", true);
        c.mutual = ours;
        engine e(c, two_lans(1), ms(0));
        engine_output out;
        e.tick(ms(0), out);
        CHECK(bool(decoded(out.sends[0]).flags & wire::flag_mutual) == ours);
        // h2 without mutual rounds (or we without them): every INQ is ACKed.
        for (std::uint8_t theirs : {std::uint8_t(0), wire::flag_mutual}) {
            if (ours && theirs) continue;
            engine_output o;
            feed(e, 0, "192.0.2.2", h2_inq(theirs ? 2 : 1, {}, theirs), ms(theirs ? 20 : 10), o);
            CHECK(count_sends(o, wire::type::ack) == 1);
        }
        // ...and our rounds wait for its ACKs: one missing is a miss.
        engine_output next;
        e.tick(ms(100), next);
        engine_output closed;
        e.tick(ms(200), closed);
        CHECK(e.view("h2", {0, family::v4}).missed() >= 1);
    }
}

TEST_CASE("engine: aligned rounds: after the first INQ, rounds start on the wall clock's multiples of t") {
    // Two requestors started 37 ms and 262 ms into a second of wall time,
    // their monotonic clocks far apart: both send their second round at
    // the same wall-clock instant, and keep that grid.
    auto sends_at = [](long long start_mono, long long offset_ms) {
        auto c = cfg("h1", true);
        c.wall_offset = ms(offset_ms);
        engine e(c, two_lans(1), ms(start_mono));
        std::vector<long long> wall;
        for (long long t = start_mono; t < start_mono + 1000; ++t) {
            if (e.next_wakeup() > ms(t)) continue;
            engine_output o;
            e.tick(ms(t), o);
            if (!o.sends.empty()) wall.push_back(t + offset_ms);
        }
        return wall;
    };
    auto a = sends_at(5'037, 1'000'000);     // wall 1,005,037 ms at start
    auto b = sends_at(90'262, 914'775'000);  // wall 914,865,262 ms at start
    REQUIRE(a.size() >= 9);
    REQUIRE(b.size() >= 9);
    CHECK(a[0] == 1'005'037);  // the first INQ leaves at once
    CHECK(a[1] == 1'005'100);  // then the grid (at least t/2 after it)
    CHECK(b[0] == 914'865'262);
    CHECK(b[1] == 914'865'400);  // 262 + 50 -> 400: the next multiple of 100 ms
    for (std::size_t i = 1; i < a.size(); ++i) CHECK(a[i] % 100 == 0);
    for (std::size_t i = 1; i < b.size(); ++i) CHECK(b[i] % 100 == 0);
    for (std::size_t i = 2; i < a.size(); ++i) CHECK(a[i] - a[i - 1] == 100);
}

TEST_CASE("engine: aligned rounds: a late tick keeps the grid, carrier back probes at once, then the grid") {
    auto c = cfg("h1", true);
    c.wall_offset = ms(0);
    engine e(c, two_lans(1), ms(1'000));
    engine_output o;
    e.tick(ms(1'000), o);
    CHECK(e.next_wakeup() == ms(1'100));
    e.tick(ms(1'130), o);  // 30 ms late
    CHECK(e.next_wakeup() == ms(1'200));
    e.tick(ms(1'200), o);
    auto lans = e.lans();
    lans[0].carrier = false;
    e.update_lans(lans, ms(1'210), o);
    lans[0].carrier = true;
    e.update_lans(lans, ms(1'220), o);
    engine_output back;
    e.tick(ms(1'220), back);  // carrier back: LAN A's INQ at once
    REQUIRE(back.sends.size() == 1);
    CHECK(back.sends[0].lan == 0);
    engine_output next;
    e.tick(ms(1'300), next);  // both LANs on the grid again
    CHECK(next.sends.size() == 2);
    CHECK(e.next_wakeup() == ms(1'400));
    // Without a wall clock the schedule runs from the start, as before.
    engine plain(cfg("h1", true), two_lans(1), ms(1'037));
    engine_output p;
    plain.tick(ms(1'037), p);
    CHECK(plain.next_wakeup() == ms(1'137));
}

TEST_CASE("engine: round INQs go by unicast to up to 4 known peers, broadcast in ACK rounds, or beyond that") {
    engine e(cfg("h1", true), two_lans(1), ms(0));
    auto round_inq = [](const outgoing& x) { return !(decoded(x).flags & wire::flag_probe_only); };
    auto dests = [&](long long t) {
        engine_output o;
        e.tick(ms(t), o);
        std::string s;
        for (const auto& x : o.sends)
            if (x.lan == 0 && round_inq(x)) s += x.dst.to_string() + " ";
        return s;
    };
    CHECK(dests(0) == "192.0.2.255 ");  // nobody known yet
    engine_output in;
    for (const char* peer : {"h2", "h3", "h4", "h5"})
        feed(e, 0, (std::string("192.0.2.") + peer[1]).c_str(), msg(wire::type::ack, peer, 1), ms(1), in);
    CHECK(dests(100) == "192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 ");
    // A fifth peer: one broadcast reaches them all for less.
    feed(e, 0, "192.0.2.6", msg(wire::type::ack, "h6", 2), ms(101), in);
    CHECK(dests(200) == "192.0.2.255 ");
    // ...and so does a peer known on LAN A only from its address list
    // (no address heard here yet), whatever the count.
    engine f(cfg("h1", true), two_lans(1), ms(0));
    engine_output o;
    f.tick(ms(0), o);
    feed(f, 1, "198.51.100.2", msg(wire::type::ack, "h2", 1), ms(1), o);  // heard on LAN B only
    engine_output next;
    f.tick(ms(100), next);
    std::string a, b;
    for (const auto& x : next.sends)
        if (round_inq(x)) (x.lan == 0 ? a : b) += x.dst.to_string() + " ";
    CHECK(a == "192.0.2.255 ");
    CHECK(b == "198.51.100.2 ");
    // Every 16th round is a broadcast, so a node that sends no INQs of its
    // own is found.
    std::string at16;
    for (long long t = 200; t <= 1600; t += 100) {
        engine_output r;
        f.tick(ms(t), r);
        for (const auto& x : r.sends) feed(f, x.lan, x.lan ? "198.51.100.2" : "192.0.2.2",
                                           msg(wire::type::ack, "h2", decoded(x).seq), ms(t + 1), r);
        if (t == 1600)
            for (const auto& x : r.sends)
                if (x.lan == 1 && round_inq(x)) at16 += x.dst.to_string() + " ";
    }
    CHECK(at16 == "198.51.100.255 ");
    // Off: every round's INQ is a broadcast.
    auto c = cfg("h1", true);
    c.unicast_inq = false;
    engine g(c, two_lans(1), ms(0));
    engine_output g0;
    g.tick(ms(0), g0);
    feed(g, 0, "192.0.2.2", msg(wire::type::ack, "h2", 1), ms(1), g0);
    engine_output g1;
    g.tick(ms(100), g1);
    REQUIRE_FALSE(g1.sends.empty());
    CHECK(g1.sends[0].dst == ip("192.0.2.255"));
}

TEST_CASE("engine: mutual rounds: a path coming back counts one good per round, also in an ACK round") {
    mutual_pair s;
    s.run(6100);
    REQUIRE(s.lan(0).state() == path_state::up);
    s.alive = {1};  // LAN A silent from 6100
    s.run(6250);
    REQUIRE(s.lan(0).state() == path_state::down);
    s.take();
    // Back at 6250: h2's INQs at 6330, 6430 and 6530 are three rounds. h1's
    // round at 6400 is an ACK round (its 65th): h2's ACK to it and h2's INQ
    // of 6430 are one round, not two.
    s.alive = {0, 1};
    s.run(6500);
    CHECK(s.lan(0).state() == path_state::down);
    CHECK(s.lan(0).good_rounds() == 2);
    s.run(6531);
    auto out = s.take();
    REQUIRE(count_sends(out, wire::type::inq, wire::flag_ack_wanted) >= 1);  // the ACK round was in the window
    CHECK(s.lan(0).state() == path_state::up);
    CHECK(ups(out) == std::vector<fx::path_changed>{went_up("h2", "eth0", path_state::down, 3)});
}

TEST_CASE("engine: a restarted peer's INQs count on every LAN, whichever LAN hears the new incarnation first") {
    // With keys (the only case with replay marks): h2 is a responder; h1
    // (incarnation 9) has sent rounds up to 500 on both LANs, then restarts
    // as incarnation 10 and counts from 1 again.
    std::string err;
    auto c = cfg("h2", false);
    REQUIRE(c.keys.parse(std::string(64, '3'), "k", err));
    engine r(c, two_lans(2), ms(0));
    engine_output out;
    auto feed_inq = [&](std::size_t lan, std::uint32_t seq, std::uint32_t inc, long long at) {
        auto d = wire::encode(as_message(msg(wire::type::inq, "h1", seq, {"h2"}, inc)), c.keys, lan_v4(lan));
        r.receive(lan, ip(lan == 0 ? "192.0.2.1" : "198.51.100.1"), 7793, d.data(), d.size(), ms(at), out);
    };
    feed_inq(0, 500, 9, 10);
    feed_inq(1, 500, 9, 11);
    // The new incarnation's first round: LAN B's INQ comes first.
    feed_inq(1, 1, 10, 110);
    feed_inq(0, 1, 10, 111);
    feed_inq(0, 2, 10, 210);
    CHECK(r.drops().replay == 0);
    CHECK(r.peers().at("h1").incarnation == 10);
    for (std::size_t li : {0, 1}) {
        CHECK(r.view("h1", {li, family::v4}).last_inq_incarnation() == 10);
        CHECK(r.view("h1", {li, family::v4}).last_inq_seq() == (li == 0 ? 2u : 1u));
    }
    feed_inq(0, 2, 10, 312);  // a true replay is still one
    CHECK(r.drops().replay == 1);
}

TEST_CASE("engine: a LAN whose interface vanishes keeps its prefixes: the peer's address there is routed via the live LAN") {
    // The NIC is removed (driver reloaded, USB unplugged): the daemon hands
    // the engine eth0 with no address and no carrier. h2 still answers on
    // LAN B and still advertises 192.0.2.2: its path on eth0 is down, not
    // forgotten, and 192.0.2.2 goes via h2's LAN B address, src ours there.
    two_up s;
    auto lans = s.e.lans();
    lans[0].addrs.clear();
    lans[0].carrier = false;
    engine_output out;
    REQUIRE(s.e.update_lans(lans, ms(s.t + 1), out));
    CHECK(downs(out) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 0, down_reason::carrier)});
    for (long long t = s.t + 100; t < s.t + 1000; t += 100) {
        auto o = round(s.e, ms(t), {1});
        CHECK(of<fx::path_forgotten>(o).empty());
    }
    CHECK(s.e.peers().at("h2").paths.count({0, family::v4}) == 1);
    CHECK(s.e.lans()[0].in_prefixes(ip("192.0.2.2")));
    CHECK(routes(s.e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 198.51.100.1\n");
    // Back with its address: probed again, up after s rounds, the route goes.
    auto back = two_lans(1);
    REQUIRE(s.e.update_lans(back, ms(s.t + 1001), out));
    for (long long t = s.t + 1100; t < s.t + 1500; t += 100) round(s.e, ms(t), {0, 1});
    CHECK(s.e.view("h2", {0, family::v4}).state() == path_state::up);
    CHECK(routes(s.e).empty());
}

TEST_CASE("engine: while our IPv6 link-local address is tentative, IPv6 paths not yet up stay in init") {
    // Started right after the links came up: our LAN A link-local address is
    // still in DAD. h2's IPv6 INQs on LAN A arrive without us in their heard
    // list (we cannot answer yet) and then stop coming: no path_down, no
    // failover, until we can send. Without carrier the LAN is dead, not
    // pending, and its paths go down as ever.
    for (bool carrier : {true, false}) {
        CAPTURE(carrier);
        auto c = cfg("h1", false);
        auto lans = dual_lans(1, true);
        lans[0].link_local.reset();
        lans[0].v6_pending = true;
        lans[0].carrier = carrier;
        engine e(c, lans, ms(0));
        engine_output out;
        for (long long t = 0; t < 300; t += 100) {
            auto b = msg(wire::type::inq, "h2", std::uint32_t(t + 1), {});
            e.receive(0, ip("fe80::a:2"), 7793, b.data(), b.size(), ms(t), out);
            e.receive(1, ip("fe80::b:2"), 7793, b.data(), b.size(), ms(t), out);
        }
        advance(e, ms(1000), out);
        const auto went = downs(out);
        const bool v6_a_down = std::any_of(went.begin(), went.end(), [](const fx::path_changed& c) {
            return c.path.lan == "eth0" && c.path.fam == family::v6;
        });
        CHECK(v6_a_down != carrier);
        if (carrier) CHECK(e.view("h2", {0, family::v6}).state() == path_state::init);
    }
}

TEST_CASE("engine: lines a datagram can cause are logged like drops: the first in full, then a count a minute") {
    // Without keys anyone can flip a peer's incarnation back and forth, or
    // send notices and BYEs the peer then refutes: thousands a second fill
    // no disk.
    two_up s;
    engine_output out;
    for (int i = 0; i < 1000; ++i) {
        auto b = msg(wire::type::inq, "h2", std::uint32_t(i + 10), {"h1"}, i % 2 ? 9 : 10);
        feed(s.e, 0, "192.0.2.2", b, ms(s.t + 1) + duration(i), out);
    }
    CHECK(of<fx::peer_restarted>(out) == std::vector<fx::peer_restarted>{fx::peer_restarted{"h2", 10}});
    engine_output later;
    advance(s.e, ms(s.t + 62'000), later);
    const auto counted = first_and_counts<fx::peer_restarted>(later, "peer_restarted");
    REQUIRE(counted.size() == 1);
    CHECK(std::get<fx::repeated>(counted[0]).count == 999);
}

// ---- a busy host (stall_guard; PROTOCOL.md, "Time: ... a busy host")

TEST_CASE("engine: busy host: a retry judged late (faild stalled) is held for one fresh retry, answered it counts nothing") {
    two_up s;
    tick_answered(s.e, ms(400), {1});  // LAN A's ACK does not come
    engine_output first;
    s.e.tick(ms(410), first);  // on time: suspected, and the retry (due at 420) leaves
    REQUIRE(lan_a(s.e).owed() == 1);
    REQUIRE(s.e.next_wakeup() == ms(420));
    // faild stalls until 450 (the retry judged 30 ms late, the slack is
    // 25 ms), and h2, paused with it, had not answered yet.
    engine_output late;
    s.e.tick(ms(450), late);
    CHECK(lan_a(s.e).missed() == 0);  // before the rule: 2, the round's and the retry's
    CHECK(lan_a(s.e).owed() == 2);
    REQUIRE(late.sends.size() == 2);  // the fresh retry, and its control on LAN B
    CHECK(late.sends[0].dst == ip("192.0.2.2"));
    CHECK(s.e.next_wakeup() == ms(460));
    std::size_t done = 0;
    answer_inqs(s.e, late, done, {0}, "h2", ms(451));
    CHECK(lan_a(s.e).missed() == 0);
    CHECK(lan_a(s.e).owed() == 0);
    CHECK(downs(late).empty());
    CHECK(lan_a(s.e).state() == path_state::up);
}

TEST_CASE("engine: busy host: unanswered, the fresh retry after a stall counts what was held, and the path goes down") {
    two_up s;
    tick_answered(s.e, ms(400), {1});
    engine_output o;
    s.e.tick(ms(410), o);
    s.e.tick(ms(450), o);  // judged late: held, a fresh retry (due at 460)
    REQUIRE(lan_a(s.e).missed() == 0);
    std::size_t done = 0;
    answer_inqs(s.e, o, done, {1}, "h2", ms(451));  // h2 runs again: LAN B answers
    s.e.tick(ms(460), o);  // on time, unanswered: the held misses count, and its own
    CHECK(lan_a(s.e).state() == path_state::down);
    CHECK(downs(o) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 3, down_reason::missed)});
    CHECK(routes(s.e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
}

/// A responder h2 that has heard h1's round INQs (listing it) on both LANs
/// at 0, 100 and 200 ms: its paths to h1 are up. inq() feeds the next ones.
struct up_responder {
    engine e{cfg("h2", false), two_lans(2), ms(0)};
    void inq(std::size_t lan, long long t, bool lists_us, engine_output& out) {
        std::vector<std::string> heard;
        if (lists_us) heard = {"h2"};
        feed(e, lan, lan == 0 ? "192.0.2.1" : "198.51.100.1", msg(wire::type::inq, "h1", std::uint32_t(t), heard),
             ms(t), out);
    }
    up_responder() {
        for (long long t = 0; t < 300; t += 100) {
            engine_output out;
            inq(0, t, true, out);
            inq(1, t, true, out);
            e.tick(ms(t), out);
        }
    }
};

TEST_CASE("engine: busy host: a responder's check judged late gets one fresh probe before its miss counts") {
    up_responder r;
    engine& e = r.e;
    auto inq = [&](std::size_t lan, long long t, bool lists_us, engine_output& out) { r.inq(lan, t, lists_us, out); };
    const path_view a = e.view("h1", {0, family::v4});
    REQUIRE(a.state() == path_state::up);
    // At 300 h1's INQ on LAN A does not list us (one-way?): a suspected
    // miss, checked by a probe due at 310. LAN B is fine.
    engine_output out;
    inq(0, 300, false, out);
    inq(1, 300, true, out);
    REQUIRE(a.owed() == 1);
    REQUIRE(e.next_wakeup() == ms(310));
    // We stall until 340; h1, paused too, had not answered the check.
    engine_output late;
    e.tick(ms(340), late);
    CHECK(a.missed() == 0);  // before the rule: 1
    CHECK(a.owed() == 1);
    REQUIRE(late.sends.size() == 1);  // a fresh probe, the last chance
    CHECK(late.sends[0].dst == ip("192.0.2.1"));
    CHECK(e.next_wakeup() == ms(350));
    std::size_t done = 0;
    answer_inqs(e, late, done, {0}, "h1", ms(341));
    CHECK(a.owed() == 0);
    CHECK(a.missed() == 0);
    // Judged on time, a check that goes unanswered counts as ever.
    engine_output again;
    inq(0, 400, false, again);
    inq(1, 400, true, again);
    e.tick(ms(410), again);
    CHECK(a.missed() == 1);
}

TEST_CASE("engine: busy host: every path of a peer silent at once waits an interval for a fresh probe, one LAN does not") {
    SUBCASE("both LANs silent (h2 paused 15 ms): held, and the late answer keeps them") {
        two_up s;
        tick_answered(s.e, ms(400), {});  // h2 answers nowhere
        engine_output o;
        s.e.tick(ms(410), o);  // no retry: h2 answers on no LAN
        engine_output closed;
        s.e.tick(ms(500), closed);  // the round closes: both paths silent at once
        CHECK(lan_a(s.e).owed() == 1);
        CHECK(s.e.view("h2", {1, family::v4}).owed() == 1);
        CHECK(count_sends(closed, wire::type::inq, wire::flag_probe_only) == 2);  // one fresh probe each
        // Held for an interval, not the usual 10 ms: at 510 nothing counts.
        s.e.tick(ms(510), closed);
        CHECK(lan_a(s.e).missed() == 0);  // before the rule: 1 (the check's 10 ms)
        CHECK(s.e.next_wakeup() == ms(600));
        // h2 answers them at 520.
        std::size_t done = 0;
        answer_inqs(s.e, closed, done, {0, 1}, "h2", ms(520));
        CHECK(lan_a(s.e).owed() == 0);
        CHECK(lan_a(s.e).missed() == 0);
        CHECK(downs(closed).empty());
    }
    SUBCASE("LAN A alone silent: counted at once, the retries as before") {
        two_up s;
        tick_answered(s.e, ms(400), {1});
        engine_output o;
        s.e.tick(ms(410), o);
        CHECK(lan_a(s.e).owed() == 1);
        CHECK(o.sends.size() == 2);  // the retry, and its control on LAN B
        std::size_t done = 0;
        answer_inqs(s.e, o, done, {1}, "h2", ms(411));
        CHECK(s.e.next_wakeup() == ms(420));
        s.e.tick(ms(420), o);
        CHECK(lan_a(s.e).missed() == 2);
    }
}

TEST_CASE("engine: busy host: a last-chance probe judged late is sent again, at most 3 times, then its silence counts") {
    up_responder r;
    engine& e = r.e;
    auto inq = [&](std::size_t lan, long long t, bool lists_us, engine_output& out) { r.inq(lan, t, lists_us, out); };
    const path_view a = e.view("h1", {0, family::v4});
    engine_output out;
    inq(0, 300, false, out);  // a suspected one-way miss on LAN A, checked at 310
    inq(1, 300, true, out);
    // Every wakeup from here is 30 ms late (the slack is 25 ms); h1 answers nothing.
    std::size_t probes = 0;
    for (long long t : {340, 380, 420}) {
        CAPTURE(t);
        if (t == 420) {
            engine_output fed;
            inq(0, 400, false, fed);  // h1's next INQs: LAN A still without us
            inq(1, 400, true, fed);
        }
        engine_output late;
        e.tick(ms(t), late);
        CHECK(a.missed() == 0);
        probes += count_sends(late, wire::type::inq, wire::flag_probe_only);
        CHECK(e.next_wakeup() == ms(t + 10));
    }
    CHECK(probes == 3);  // the first check's, then the last chance's twice
    engine_output last;
    e.tick(ms(460), last);  // late again, but that was the third: the misses count
    CHECK(a.missed() == 2);
    CHECK(count_sends(last, wire::type::inq, wire::flag_probe_only) == 0);
}

TEST_CASE("engine: judging_due says when a tick judges evidence (the daemon drains the sockets only then)") {
    SUBCASE("requestor: a round whose ACKs all came judges nothing; one awaited, its timeout and the round's close do") {
        two_up s;  // rounds 0 to 300 answered on both LANs
        engine& e = s.e;
        CHECK(e.next_wakeup() == ms(400));
        CHECK_FALSE(e.judging_due(ms(400)));  // every ACK of the round at 300 is in
        CHECK(e.judging_due(ms(1000)));        // the housekeeping (every second) judges too
        // The round at 400: h2 answers on LAN B only. LAN A's ACK is
        // awaited until its retry timeout, the next wakeup.
        tick_answered(e, ms(400), {1});
        const timestamp rto = e.next_wakeup();
        INFO("next wakeup = ", rto.count());
        REQUIRE(rto > ms(400));
        REQUIRE(rto < ms(500));
        CHECK_FALSE(e.judging_due(rto - duration(1)));
        CHECK(e.judging_due(rto));
    }
    SUBCASE("requestor without up paths: an ACK awaited at the round's close") {
        engine e(cfg("h1", true), two_lans(1), ms(0));
        tick_answered(e, ms(0), {0, 1});
        CHECK_FALSE(e.judging_due(ms(100)));
        tick_answered(e, ms(100), {1});  // LAN A's ACK never comes: no timeout before the path is up
        CHECK(e.next_wakeup() == ms(200));
        CHECK_FALSE(e.judging_due(ms(199)));
        CHECK(e.judging_due(ms(200)));
    }
    SUBCASE("responder: the peer's INQ deadline") {
        engine e(cfg("h2", false), two_lans(2), ms(0));
        engine_output out;
        for (std::size_t li : {0, 1})
            feed(e, li, li == 0 ? "192.0.2.1" : "198.51.100.1", msg(wire::type::inq, "h1", 1, {"h2"}), ms(10), out);
        const timestamp due = e.next_wakeup();
        REQUIRE(due > ms(110));
        REQUIRE(due < ms(1000));
        CHECK_FALSE(e.judging_due(due - duration(1)));
        CHECK(e.judging_due(due));
    }
}

TEST_CASE("engine: fast confirmation: a retry whose control goes unanswered too is held (the peer answered nowhere)") {
    // LAN A's ACK of the round at 400 does not come; LAN B's did. The
    // retry at 410 goes with a control probe on LAN B. Then h2 answers
    // nothing at all (it stalls): at 420 the retry's silence is the peer's,
    // not LAN A's.
    two_up s;
    tick_answered(s.e, ms(400), {1});
    engine_output first;
    s.e.tick(ms(410), first);
    REQUIRE(first.sends.size() == 2);
    REQUIRE(lan_a(s.e).owed() == 1);
    engine_output held;
    s.e.tick(ms(420), held);
    CHECK(of<fx::miss_held>(held) ==
          std::vector<fx::miss_held>{{{"h2", "eth0", family::v4}, fx::miss_held::why::peer_silent, 2}});
    CHECK(of<fx::probe_retry>(held).empty());  // no more retries: one last-chance check
    REQUIRE(held.sends.size() == 1);
    CHECK(held.sends[0].dst == ip("192.0.2.2"));
    CHECK(lan_a(s.e).missed() == 0);  // before the rule: 2, the round's and the retry's
    CHECK(lan_a(s.e).owed() == 2);
    CHECK(lan_a(s.e).state() == path_state::up);

    SUBCASE("h2 runs again and answers: nothing counts") {
        std::size_t done = 0;
        answer_inqs(s.e, first, done, {0, 1}, "h2", ms(440));
        CHECK(lan_a(s.e).owed() == 0);
        CHECK(lan_a(s.e).missed() == 0);
        CHECK(routes(s.e).empty());
        engine_output rest = round(s.e, ms(500), {0, 1});
        CHECK(downs(rest).empty());
        CHECK(lan_a(s.e).state() == path_state::up);
    }
    SUBCASE("h2 answers the control late, on LAN B only: LAN A is retried at once and goes down a timeout later") {
        // The control's answer at 425 (after the retry's deadline): the
        // peer lives. LAN A is retried at once, with a control that h2
        // answers at once; that retry's silence counts (before: the hold's
        // check, at 420 + 250).
        REQUIRE(first.sends[1].lan == 1);
        const std::uint32_t control = decoded(first.sends[1]).seq;
        engine_output late;
        feed(s.e, 1, "198.51.100.2", msg(wire::type::ack, "h2", control), ms(425), late);
        CHECK(of<fx::probe_retry>(late).empty());  // due: the next tick sends it, with its own time
        CHECK(s.e.next_wakeup() == ms(425));
        engine_output again;
        s.e.tick(ms(425), again);
        CHECK(of<fx::probe_retry>(again).size() == 1);
        REQUIRE(again.sends.size() == 2);  // LAN A again, and a new control on LAN B
        CHECK(again.sends[0].dst == ip("192.0.2.2"));
        std::size_t done = 0;
        answer_inqs(s.e, again, done, {1}, "h2", ms(426));  // its control, at once
        CHECK(s.e.next_wakeup() == ms(435));
        engine_output fin;
        s.e.tick(ms(435), fin);
        CHECK(downs(fin) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 3, down_reason::missed)});
        CHECK(routes(s.e) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
    }
}

TEST_CASE("engine: mutual rounds: a retry held for the peer's silence does not stop fast confirmation there") {
    // LAN A silent from 2000. h1's retry at 2040 goes with a control on LAN
    // B, but h2 answers nothing from 2035 to 2060 (it stalls): at 2050 the
    // retry's silence is held. h2's next INQ on LAN B (2130) shows it
    // lives: LAN A is retried at once, the control is answered, and the
    // retry's silence counts: down at 2141 (the retry leaves with the tick
    // after the INQ; without it, the hold's check decided at 2050 + 250).
    mutual_pair s;
    s.run(2000);
    REQUIRE(s.lan(0).state() == path_state::up);
    s.take();
    s.alive = {1};
    s.run(2035);
    s.deaf = true;
    s.run(2060);
    REQUIRE(of<fx::probe_retry>(s.log).size() == 1);
    CHECK(effects_of<fx::miss_held>(s.log.effects) ==
          std::vector<fx::miss_held>{{{"h2", "eth0", family::v4}, fx::miss_held::why::peer_silent, 2}});
    CHECK(s.lan(0).state() == path_state::up);
    s.deaf = false;
    s.run(2141);
    CHECK(s.lan(0).state() == path_state::up);
    s.run(2142);
    CHECK(s.lan(0).state() == path_state::down);
    CHECK(downs(s.log) == std::vector<fx::path_changed>{went_down("h2", "eth0", path_state::up, 3, down_reason::missed)});
}

TEST_CASE("engine: judging_due: a mutual round whose peer is not listed as heard drains first (a queued INQ may list it)") {
    auto c = cfg("h1", true);
    c.fast_confirm = false;  // no retries: only the heard list is at stake
    mutual_pair s(c);
    s.run(2100);
    REQUIRE(s.lan(0).state() == path_state::up);
    // Steady: h2's INQs (every 100 ms, at 30) keep it heard on both LANs;
    // h1's round at 2100 closes no wait and passes no deadline (the
    // housekeeping ran at 2000).
    CHECK_FALSE(s.e.judging_due(ms(2100)));
    // h2's INQ of 2130 is lost on LAN A: its deadline (2180) lapses and moves
    // on an interval, but h2 is no longer heard there by h1's round at 2200.
    s.alive = {1};
    s.run(2200);
    CHECK(s.e.next_wakeup() == ms(2200));
    CHECK(s.e.judging_due(ms(2200)));
}

TEST_CASE("engine: mutual rounds: a held retry ends when the peer speaks on that path, and fast confirmation works there again") {
    // h2 stalls over h1's retry of LAN A (2040): held. LAN A is back for
    // h2's INQs of 2130: the hold ends with the one on LAN A (the held retry
    // is moot), so the one on LAN B has nothing to retry. When
    // LAN A then fails for real (h2's INQ of 2230 missing), it is retried at
    // once again and goes down within the retries (a hold that kept the
    // retry awaited blocked retries there: a miss a round, down at 2440).
    mutual_pair s;
    s.run(2000);
    s.alive = {1};
    s.run(2035);
    s.deaf = true;
    s.run(2060);
    REQUIRE(effects_of<fx::miss_held>(s.log.effects).size() == 1);
    s.deaf = false;
    s.alive = {0, 1};
    s.take();
    s.run(2200);
    CHECK(of<fx::probe_retry>(s.log).empty());
    REQUIRE(s.lan(0).state() == path_state::up);
    REQUIRE(s.lan(0).owed() == 0);
    s.take();
    s.alive = {1};
    s.run(2262);
    CHECK(of<fx::probe_retry>(s.log).size() >= 1);
    CHECK(s.lan(0).state() == path_state::down);
}

TEST_CASE("engine: fast confirmation: a retry waits at least its control path's timeout (a slower LAN there)") {
    // LAN A answers in 1 ms (its timeout: the floor, 10 ms), LAN B in 8 ms.
    engine e(cfg("h1", true), two_lans(1), ms(0));
    for (long long t = 0; t < 400; t += 100) {
        engine_output out;
        e.tick(ms(t), out);
        std::size_t done_a = 0, done_b = 0;
        answer_inqs(e, out, done_a, {0}, "h2", ms(t + 1));
        answer_inqs(e, out, done_b, {1}, "h2", ms(t + 8));
    }
    REQUIRE(e.view("h2", {0, family::v4}).state() == path_state::up);
    REQUIRE(e.view("h2", {1, family::v4}).srtt() == ms(8));
    tick_answered(e, ms(400), {1}, ms(8));  // LAN A silent from here
    engine_output retry;
    e.tick(e.next_wakeup(), retry);  // LAN A's timeout: 410
    const auto retries = of<fx::probe_retry>(retry);
    REQUIRE(retries.size() == 1);
    CHECK(retries[0].timeout > ms(10));  // before: LAN A's own 10 ms
    CHECK(e.next_wakeup() == ms(410) + retries[0].timeout);
}
