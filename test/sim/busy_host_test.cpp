// The busy-host rules (stall_guard, PROTOCOL.md "a busy host"), on the fake
// network: a stall of every node is no failure, a cut LAN still fails over
// as fast as before, and a peer that is really gone still goes down.
//
// With keys, so that a miss counts at once (without them each miss already
// waits for a check of its own): what keeps routes still here is the rule.
#include "sim.hpp"

#include "faild/core/stall_guard.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <utility>

using namespace faild;

namespace {

keyring test_keys() {
    keyring k;
    std::string err;
    REQUIRE(k.parse(std::string(64, 'b'), "test", err));
    return k;
}

engine_config config(const char* id, bool requestor, const keyring& keys, bool fast_confirm = true) {
    engine_config c;
    c.fast_confirm = fast_confirm;
    c.node_id = id;
    c.incarnation = 100;
    c.requestor = requestor;
    c.interval = ms(100);
    c.fail_after = 3;
    c.up_after = 3;
    c.seq_seed = std::hash<std::string>{}(id);
    c.keys = keys;
    return c;
}

/// h1 and h2 requestors (mutual rounds with each other), h3 a responder.
struct busy_lab {
    explicit busy_lab(bool fast_confirm = true) : fast(fast_confirm) {}
    bool fast;
    keyring keys = test_keys();
    sim::world w;
    sim::node& h1 = w.add_host(1, config("h1", true, keys, fast));
    sim::node& h2 = w.add_host(2, config("h2", true, keys, fast));
    sim::node& h3 = w.add_host(3, config("h3", false, keys, fast));
    std::vector<sim::node*> all{&h1, &h2, &h3};

    bool all_up() {
        for (auto* n : all) {
            if (n->eng->peers().size() != 2) return false;
            for (const auto& [id, p] : n->eng->peers())
                for (const auto& [k, pa] : p.paths)
                    if (pa.tracker.state() != path_state::up) return false;
        }
        return true;
    }
    void start() {
        REQUIRE(w.run_until(ms(5000), [&] { return all_up(); }));
        w.run_until(w.now() + ms(1000));  // RTT estimates settle
        REQUIRE(all_up());
    }
    std::size_t route_changes() const {
        std::size_t k = 0;
        for (auto* n : all) k += effects_of<fx::route_changed>(n->log).size();
        return k;
    }
    std::size_t downs() const {
        std::size_t k = 0;
        for (auto* n : all) k += sim::world::downs(*n);
        return k;
    }
};

using sim::h1_routes;
using sim::h2_routes;
using sim::h3_routes;

}  // namespace

TEST_CASE("busy host: every node stalls for several intervals, then runs on: no path goes down, no route moves") {
    busy_lab s;
    s.start();
    const std::size_t changes = s.route_changes(), downs = s.downs();
    // Stalls of 1.5 to 5.5 intervals, at different points of the rounds.
    for (long long stall_ms : {150, 350, 550, 237, 481}) {
        CAPTURE(stall_ms);
        s.w.run_until(s.w.now() + ms(1000 + stall_ms % 97));
        s.w.stall(ms(stall_ms));
        s.w.run_until(s.w.now() + ms(2000));
        CHECK(s.downs() == downs);
        CHECK(s.route_changes() == changes);
        CHECK(s.all_up());
    }
}

TEST_CASE("busy host: one LAN silently cut: every node fails over as soon as before, also after a stall") {
    // The times are those of the engine before the busy-host rules (c31dc13):
    // a single LAN's silence holds nothing.
    // With fast confirmation (retries, notices) and without (the rounds alone).
    for (auto [fast, stalled] : {std::pair{true, false}, {true, true}, {false, false}, {false, true}}) {
        CAPTURE(fast);
        CAPTURE(stalled);
        busy_lab s(fast);
        s.start();
        const timestamp cut = s.w.now() + ms(37);  // between two rounds
        s.w.run_until(cut);
        s.w.net().set_cut(s.h2.ports[0], true);
        std::optional<timestamp> h1_at, h2_at, h3_at;
        // A stall of 30 ms right after the cut: later than the slack (25 ms).
        if (stalled) s.w.stall(ms(30));
        auto done = s.w.run_until(cut + ms(5000), [&] {
            auto note = [&](std::optional<timestamp>& at, sim::node& n, const char* want) {
                if (!at && sim::world::routes(n) == want) at = s.w.now();
            };
            note(h1_at, s.h1, h1_routes);
            note(h2_at, s.h2, h2_routes);
            note(h3_at, s.h3, h3_routes);
            return h1_at && h2_at && h3_at;
        });
        REQUIRE(done);
        const duration h1 = *h1_at - cut, h2 = *h2_at - cut, h3 = *h3_at - cut;
        MESSAGE("fast=", fast, " stalled=", stalled, ": h1 ", h1.count(), " us, h2 ", h2.count(), " us, h3 ", h3.count(), " us");
        // As before the rules, to the millisecond (a rule that held a single
        // LAN's silence would add an interval without fast confirmation),
        // stalled or not; with it, within (f + 1) x t + 10 ms.
        CHECK(h1 == ms(fast ? 93 : 313));
        CHECK(h2 == ms(fast ? 93 : 318));
        CHECK(h3 == ms(fast ? 103 : 313));
        if (fast) CHECK(std::max({h1, h2, h3}) <= ms(410));
    }
}

TEST_CASE("busy host: a peer that is really gone: its misses wait for one fresh probe, then count, and its routes go") {
    busy_lab s;
    s.start();
    s.w.net().set_cut(s.h2.ports[0], true);  // LAN A first: h1 routes h2's LAN-A address via LAN B
    REQUIRE(s.w.run_until(s.w.now() + ms(2000), [&] { return sim::world::routes(s.h1) == h1_routes; }));
    s.w.run_until(s.w.now() + ms(500));
    s.w.net().set_cut(s.h2.ports[1], true);  // then LAN B: h2 is unreachable
    const path_key b{1, family::v4};
    auto lan_b = [&] { return s.h1.eng->view("h2", b); };
    // The first silence of LAN B (the peer's last live path): held, owed,
    // and a fresh probe asks.
    const std::size_t sent_before = s.w.net().sent();
    auto silent = s.w.run_until(s.w.now() + ms(1000), [&] { return lan_b().owed() + lan_b().missed() > 0; });
    REQUIRE(silent);
    CHECK(lan_b().missed() == 0);
    CHECK(lan_b().owed() == 1);
    CHECK(s.w.net().sent() > sent_before);
    CHECK(sim::world::routes(s.h1) == h1_routes);
    // It counts once that probe's wait (a mass silence: the longest stall,
    // 250 ms, more than the 100 ms interval) is over, not before.
    auto counted = s.w.run_until(s.w.now() + ms(1000), [&] { return lan_b().missed() > 0; });
    REQUIRE(counted);
    CHECK(*counted - *silent >= stall_guard::longest_stall - ms(1));
    CHECK(*counted - *silent <= stall_guard::longest_stall + ms(1));
    // No hang: h2 goes down on LAN B too, and no route is left via it.
    auto gone = s.w.run_until(s.w.now() + ms(1000), [&] {
        return lan_b().state() == path_state::down && sim::world::routes(s.h1).empty();
    });
    REQUIRE(gone);
    CHECK(*gone - *silent <= ms(500));
}

TEST_CASE("busy host: a peer stalls between its two LANs' INQs of one round: no path goes down, no route moves") {
    // The peer's LAN-A INQ came, its LAN-B one did not (it stalled before
    // sending it), so from here LAN B looks silent while the peer answers
    // "elsewhere". Fast confirmation retries LAN B at once, but the peer
    // answers nothing at all until it runs again: the retries' silence is
    // the peer's stall, not LAN B's failure.
    for (long long stall_ms : {15, 30, 60, 90}) {
        CAPTURE(stall_ms);
        busy_lab s;
        s.start();
        const std::size_t changes = s.route_changes(), downs = s.downs();
        s.w.stall_node(s.h1, ms(stall_ms), 1);
        REQUIRE(!s.h1.held.empty());  // LAN B's INQs of that round wait for h1
        s.w.run_until(s.w.now() + ms(2000));
        std::size_t peer_silent = 0;
        for (auto* n : s.all)
            for (const auto& h : effects_of<fx::miss_held>(n->log)) peer_silent += h.reason == fx::miss_held::why::peer_silent;
        // Stalls longer than the retries' f timeouts (10 ms each) are what
        // the rule holds; shorter ones end before a retry's silence counts.
        if (stall_ms >= 60) CHECK(peer_silent > 0);
        CHECK(s.downs() == downs);
        CHECK(s.route_changes() == changes);
        CHECK(s.all_up());
    }
}
