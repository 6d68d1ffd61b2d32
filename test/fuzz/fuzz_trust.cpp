// DOC: fuzz_trust — a stateful libFuzzer target for the route trust rules.
//
// Two faild engines (h1, h2: requestors, no keys, t = 0.1 s, f = s = 3) on
// the fake network of test/sim, both LANs healthy throughout, and an
// attacker at .66 on both LANs. After a warm-up in which every path comes
// up, the fuzzer's bytes are a script: the attacker sends datagrams (raw
// bytes, or messages built from fuzzed fields: any node id, incarnation,
// sequence number, interval, flags, address and heard lists, a target), from
// its own address or forging h1's or h2's, to either host or the LAN, and
// time moves on by fuzzed steps. After every step two invariants must hold
// (PROTOCOL.md, "Trust"):
//   1. every desired route of either host goes via an address of the node
//      that holds its destination (no route through the attacker, nor to a
//      host's address via anyone else);
//   2. the peer's own datagrams keep arriving on every path (no cut), so
//      attacker input alone never takes a path between h1 and h2 down.
// A broken invariant aborts, which libFuzzer and replay_main report.
#include "../sim/sim.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using namespace faild;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz_trust: invariant broken: %s\n", what.c_str());
    std::abort();
}

ip_address ip(const char* s) { return *ip_address::parse(s); }

/// Reads the script; past its end every read is 0.
struct reader {
    const std::uint8_t* p;
    std::size_t n;
    bool done() const { return n == 0; }
    std::uint8_t byte() {
        if (!n) return 0;
        --n;
        return *p++;
    }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = v << 8 | byte();
        return v;
    }
    std::vector<std::uint8_t> bytes(std::size_t len) {
        len = std::min(len, n);
        std::vector<std::uint8_t> out(p, p + len);
        p += len;
        n -= len;
        return out;
    }
};

engine_config config(const char* id) {
    engine_config c;
    c.node_id = id;
    c.incarnation = id[1] == '1' ? 1001 : 2002;
    c.requestor = true;
    c.interval = ms(100);
    c.fail_after = 3;
    c.up_after = 3;
    c.seq_seed = id[1] == '1' ? 11 : 22;
    return c;
}

const char* const addresses[] = {"192.0.2.1",    "198.51.100.1", "192.0.2.2",       "198.51.100.2",
                                 "192.0.2.66",   "198.51.100.66", "192.0.2.0",      "192.0.2.255",
                                 "198.51.100.0", "198.51.100.255", "203.0.113.9",   "192.0.2.77"};
const char* const ids[] = {"h1", "h2", "evil", "x1", "x2", "h3"};

/// Who holds an address: 1 (h1), 2 (h2), 66 (the attacker), 0 (nobody).
int holder(const ip_address& a) {
    const std::string s = a.to_string();
    for (int h : {1, 2, 66})
        if (s == "192.0.2." + std::to_string(h) || s == "198.51.100." + std::to_string(h)) return h;
    return 0;
}

wire::message fuzzed_message(reader& r, std::uint32_t h1_inc, std::uint32_t h2_inc) {
    wire::message m;
    m.kind = wire::type(1 + r.byte() % 4);
    m.node_id = ids[r.byte() % std::size(ids)];
    switch (r.byte() % 4) {
    case 0: m.incarnation = h2_inc; break;
    case 1: m.incarnation = h1_inc; break;
    case 2: m.incarnation = h2_inc + 1; break;
    default: m.incarnation = r.u32(); break;
    }
    m.seq = r.u32();
    const std::uint8_t iv = r.byte();
    m.interval_us = iv < 128 ? 100'000 : std::max<std::uint32_t>(wire::min_interval_us, std::uint32_t(iv) * 1000);
    m.flags = r.byte() & ~wire::flag_authenticated;
    for (std::uint8_t n = r.byte() % 5; n; --n) m.addresses.push_back(ip(addresses[r.byte() % std::size(addresses)]));
    for (std::uint8_t n = r.byte() % 3; n; --n) m.heard.emplace_back(ids[r.byte() % std::size(ids)]);
    if (m.flags & wire::flag_target) m.target = ip(addresses[r.byte() % std::size(addresses)]);
    return m;
}

/// Invariant 1 over one host's routes.
void check_routes(sim::node& n) {
    for (const auto& [dst, rt] : n.eng->desired_routes()) {
        const int owner = holder(dst);
        if (owner == 0 || owner != holder(rt.via))
            fail(n.id + " routes " + rt.to_string() + " (the destination's holder is " + std::to_string(owner) +
                 ", the next hop's " + std::to_string(holder(rt.via)) + ")");
    }
}

/// Invariant 2: no path between h1 and h2 went down since `from`.
void check_paths(sim::node& n, const char* peer, std::size_t from) {
    for (std::size_t i = from; i < n.log.size(); ++i) {
        const auto* c = std::get_if<fx::path_changed>(&n.log[i]);
        if (c && c->down() && c->path.peer == peer)
            fail(n.id + "'s path to " + peer + " on " + c->path.lan + " went down (" + to_string(c->reason) + ")");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sim::world w;
    sim::node& h1 = w.add_host(1, config("h1"));
    sim::node& h2 = w.add_host(2, config("h2"));
    sim::attacker& evil = w.add_attacker(66);
    auto up = [](sim::node& n, const char* peer) {
        auto it = n.eng->peers().find(peer);
        if (it == n.eng->peers().end() || it->second.paths.size() < 2) return false;
        for (const auto& [k, pa] : it->second.paths)
            if (pa.tracker.state() != path_state::up) return false;
        return true;
    };
    if (!w.run_until(ms(3000), [&] { return up(h1, "h2") && up(h2, "h1"); })) fail("the warm-up did not bring the paths up");
    const std::size_t h1_from = h1.log.size(), h2_from = h2.log.size();
    const std::uint32_t h1_inc = h1.eng->incarnation(), h2_inc = h2.eng->incarnation();

    reader r{data, size};
    for (int steps = 0; !r.done() && steps < 256; ++steps) {
        const std::uint8_t op = r.byte();
        const std::size_t lan = op & 1;
        const char* net = lan ? "198.51.100." : "192.0.2.";
        // The source: its own, or forged as h1's or h2's, or anyone's.
        ip_address source;
        switch ((op >> 1) & 3) {
        case 0: source = ip(lan ? "198.51.100.66" : "192.0.2.66"); break;
        case 1: source = ip((std::string(net) + "1").c_str()); break;
        case 2: source = ip((std::string(net) + "2").c_str()); break;
        default: source = ip((std::string(net) + std::to_string(3 + r.byte() % 250)).c_str()); break;
        }
        ip_address dst;
        switch ((op >> 3) & 3) {
        case 0: dst = ip((std::string(net) + "1").c_str()); break;
        case 1: dst = ip((std::string(net) + "2").c_str()); break;
        default: dst = ip((std::string(net) + "255").c_str()); break;
        }
        std::vector<std::uint8_t> bytes;
        if (op & 0x20) {
            bytes = wire::encode(fuzzed_message(r, h1_inc, h2_inc));
        } else if (op & 0x40) {  // one of h1's or h2's own datagrams again (a replay)
            if (!evil.inbox.empty()) bytes = evil.inbox[r.u32() % evil.inbox.size()].bytes;
        } else {
            bytes = r.bytes(r.byte());
        }
        if (!bytes.empty()) w.inject(evil, lan, source, dst, bytes);
        const std::uint8_t wait = r.byte();
        w.run_until(w.now() + duration(std::int64_t(wait) * (op & 0x80 ? 1000 : 20)));
        check_routes(h1);
        check_routes(h2);
        check_paths(h1, "h2", h1_from);
        check_paths(h2, "h1", h2_from);
    }
    // Time for whatever was set in motion (checks, BYE checks, notices).
    w.run_until(w.now() + ms(500));
    check_routes(h1);
    check_routes(h2);
    check_paths(h1, "h2", h1_from);
    check_paths(h2, "h1", h2_from);
    return 0;
}
