#include "faild/core/silence_watch.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace faild;

namespace {

timestamp at(long long s) { return ms(s * 1000); }

peer heard_peer(const std::string& id, bool requestor, timestamp last_seen) {
    peer p;
    p.node_id = id;
    p.requestor = requestor;
    p.last_seen = last_seen;
    return p;
}

silence_config config(bool requestor) {
    silence_config c;
    c.requestor = requestor;
    c.after = ms(10'000);
    c.repeat = ms(3'600'000);
    c.lans = "eth0,eth1";
    return c;
}

/// The events of a timeline: check() every second from 0 to `until` s.
std::vector<std::string> timeline(silence_watch& w, long long from, long long until, const peer_map& peers) {
    std::vector<std::string> out;
    for (long long s = from; s <= until; ++s)
        if (auto e = w.check(at(s), peers))
            out.push_back(std::to_string(s) + (std::holds_alternative<fx::no_peer_heard>(*e) ? " no_peer_heard" : " peer_heard"));
    return out;
}

}  // namespace

TEST_CASE("silence_watch: two responders hear nothing: one warning after 10 s, then none for an hour") {
    silence_watch w(config(false), at(0));
    peer_map none;
    CHECK(timeline(w, 0, 3600, none) == std::vector<std::string>{"10 no_peer_heard"});
    CHECK(timeline(w, 3601, 3611, none) == std::vector<std::string>{"3610 no_peer_heard"});  // an hour later
    CHECK(w.warned());
}

TEST_CASE("silence_watch: the warning says how long, which role, port and LANs (the hint: effect_log_test)") {
    silence_watch responder(config(false), at(0));
    auto e = responder.check(at(10), {});
    REQUIRE(e);
    CHECK(std::get<fx::no_peer_heard>(*e) == fx::no_peer_heard{ms(10'000), false, 7793, "eth0,eth1"});
    silence_watch requestor(config(true), at(0));
    auto r = requestor.check(at(12), {});
    REQUIRE(r);
    CHECK(std::get<fx::no_peer_heard>(*r) == fx::no_peer_heard{ms(12'000), true, 7793, "eth0,eth1"});
}

TEST_CASE("silence_watch: a responder hears a requestor: no warning, and another responder does not count") {
    silence_watch w(config(false), at(0));
    peer_map peers;
    peers["h2"] = heard_peer("h2", true, at(0));
    for (long long s = 0; s <= 60; ++s) {
        peers["h2"].last_seen = at(s);  // its INQs every second
        CHECK_FALSE(w.check(at(s), peers));
    }
    silence_watch r(config(false), at(0));
    peer_map responders;
    responders["h3"] = heard_peer("h3", false, at(5));  // a responder never probes us
    CHECK(timeline(r, 0, 20, responders) == std::vector<std::string>{"10 no_peer_heard"});
}

TEST_CASE("silence_watch: a requestor hears responders' ACKs") {
    silence_watch w(config(true), at(0));
    peer_map peers;
    peers["h2"] = heard_peer("h2", false, at(0));
    for (long long s = 0; s <= 30; ++s) {
        peers["h2"].last_seen = at(s);
        CHECK_FALSE(w.check(at(s), peers));
    }
}

TEST_CASE("silence_watch: resolved, then silent again: warned again at once after 10 s") {
    silence_watch w(config(false), at(0));
    peer_map peers;
    CHECK(timeline(w, 0, 15, peers) == std::vector<std::string>{"10 no_peer_heard"});
    peers["h2"] = heard_peer("h2", true, at(16));
    auto e = w.check(at(16), peers);
    REQUIRE(e);
    CHECK(std::get<fx::peer_heard>(*e) == fx::peer_heard{1});
    CHECK_FALSE(w.warned());
    // h2 goes quiet after 16 s: warned 10 s after its last datagram, not an hour later.
    CHECK(timeline(w, 17, 40, peers) == std::vector<std::string>{"26 no_peer_heard"});
}

TEST_CASE("silence_watch: the silence waits max(10 s, 3 intervals)") {
    CHECK(silence_watch::after_for(ms(100)) == ms(10'000));
    CHECK(silence_watch::after_for(ms(1000)) == ms(10'000));
    CHECK(silence_watch::after_for(ms(60'000)) == ms(180'000));
}
