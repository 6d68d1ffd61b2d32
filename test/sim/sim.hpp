// DOC: sim — several faild engines on the fake network, in simulated time.
//
// Each node is an engine plus a reconciler writing into its own in-memory
// route table, exactly as the daemon wires them, minus Asio. The loop jumps
// from event to event (the earliest engine wakeup or datagram delivery), so
// a minute of protocol runs in milliseconds and every run is the same.
#pragma once

#include "faild/core/engine.hpp"
#include "faild/core/reconciler.hpp"
#include "platform/fake/fake_network.hpp"
#include "platform/fake/fake_route_table.hpp"


#include <memory>
#include <string>
#include <vector>

namespace faild::sim {

struct node {
    std::string id;
    std::unique_ptr<engine> eng;
    platform::fake_route_table table;
    std::unique_ptr<reconciler> rec;
    std::vector<platform::fake_network::port_id> ports;  // by LAN index
    effect_list log;  // every effect of the engine and the reconciler, in order
    bool stopped = false;  // after stop(): neither ticks nor receives
    // stall_node(): until `frozen_until` the node neither ticks nor reads;
    // what reaches it waits in `unread` (with its arrival time, as the
    // kernel stamps it), and `held` sends leave when it runs again.
    timestamp frozen_until{-1};
    struct unread_datagram {
        std::size_t lan;
        ip_address from;
        std::uint16_t from_port;
        std::vector<std::uint8_t> bytes;
        timestamp at;
    };
    std::vector<unread_datagram> unread;
    std::vector<outgoing> held;
};

/// A hostile host on the LANs: no engine, just ports. What reaches them
/// (broadcasts, and unicast to their addresses) lands in `inbox`; the test
/// sends what it likes, from any source address (world::inject).
struct attacker {
    std::vector<platform::fake_network::port_id> ports;  // by LAN index (0: A, 1: B)
    struct heard {
        std::size_t lan;
        ip_address from;
        std::vector<std::uint8_t> bytes;
        timestamp at;
    };
    std::vector<heard> inbox;
};

class world {
public:
    explicit world(duration latency = duration(200)) : net_(latency) {}

    /// Host `n` on LANs "A" (192.0.2.n/24, eth0) and "B" (198.51.100.n/24, eth1).
    node& add_host(int n, engine_config cfg) {
        auto nd = std::make_unique<node>();
        nd->id = cfg.node_id;
        std::vector<lan> lans;
        const char* nets[] = {"192.0.2.", "198.51.100."};
        const char* names[] = {"A", "B"};
        for (int i = 0; i < 2; ++i) {
            auto p = *prefix::parse(std::string(nets[i]) + std::to_string(n) + "/24");
            lans.push_back({"eth" + std::to_string(i), 10 + i, {p}, {}});
            nd->ports.push_back(net_.attach(names[i], p));
        }
        nd->eng = std::make_unique<engine>(std::move(cfg), std::move(lans), now_);
        nd->rec = std::make_unique<reconciler>(nd->table);
        nodes_.push_back(std::move(nd));
        return *nodes_.back();
    }

    /// An attacker at 192.0.2.n on LAN A and (unless `lan_a_only`)
    /// 198.51.100.n on LAN B.
    attacker& add_attacker(int n, bool lan_a_only = false) {
        auto a = std::make_unique<attacker>();
        const char* nets[] = {"192.0.2.", "198.51.100."};
        const char* names[] = {"A", "B"};
        for (int i = 0; i < (lan_a_only ? 1 : 2); ++i)
            a->ports.push_back(net_.attach(names[i], *prefix::parse(std::string(nets[i]) + std::to_string(n) + "/24")));
        attackers_.push_back(std::move(a));
        return *attackers_.back();
    }

    /// The attacker sends `bytes` on LAN `li` to `dst`, claiming to come
    /// from `source` (its own address or anyone's), now.
    void inject(attacker& a, std::size_t li, const ip_address& source, const ip_address& dst,
                const std::vector<std::uint8_t>& bytes) {
        net_.send_as(a.ports.at(li), source, dst, 7793, bytes, now_);
    }

    node& host(std::size_t i) { return *nodes_.at(i); }
    platform::fake_network& net() { return net_; }
    timestamp now() const { return now_; }

    /// Run every event up to and including `end`.
    void run_until(timestamp end) {
        for (;;) {
            timestamp next = end + duration(1);
            for (auto& n : nodes_)
                if (!n->stopped) next = std::min(next, frozen(*n) ? n->frozen_until : n->eng->next_wakeup());
            if (auto d = net_.next_delivery()) next = std::min(next, *d);
            if (next > end) break;
            now_ = std::max(now_, next);
            // A node that runs again reads what waited first (the older).
            for (auto& n : nodes_)
                if (n->frozen_until.count() >= 0 && !frozen(*n)) thaw(*n);
            for (auto& d : net_.take_due(now_)) {
                auto [n, li] = owner(d.to);
                if (!n) {
                    if (auto [a, ali] = attacker_of(d.to); a) a->inbox.push_back({ali, d.from, d.bytes, now_});
                    continue;
                }
                if (n->stopped) continue;
                if (frozen(*n)) {
                    n->unread.push_back({li, d.from, d.from_port, d.bytes, now_});
                    continue;
                }
                engine_output out;
                n->eng->receive(li, d.from, d.from_port, d.bytes.data(), d.bytes.size(), now_, out);
                handle(*n, out);
            }
            for (auto& n : nodes_)
                if (!n->stopped && !frozen(*n) && n->eng->next_wakeup() <= now_) {
                    engine_output out;
                    n->eng->tick(now_, out);
                    handle(*n, out);
                }
        }
        now_ = end;
    }

    /// Every node stalls for `d` (a busy host, a paused VM): time jumps,
    /// and nothing is ticked, sent or delivered meanwhile. When the nodes
    /// run again, what was on its way is delivered first (the daemon drains
    /// its sockets before it judges), then each node ticks.
    void stall(duration d) { now_ += d; }

    /// Node `n` alone stalls for `d` in the middle of its next tick (a
    /// process descheduled, or a page fault, between two sends): that
    /// tick's datagrams on the LANs before `first_lans` leave on time, the
    /// rest when it runs again. Meanwhile it neither ticks nor reads; what
    /// reached it is read first then, with the time it arrived (the daemon
    /// reads kernel arrival stamps), then it ticks.
    void stall_node(node& n, duration d, std::size_t first_lans) {
        // Up to its tick (a delivery meanwhile may move it: then again).
        for (timestamp at = n.eng->next_wakeup();; at = n.eng->next_wakeup()) {
            run_until(at - duration(1));
            if (n.eng->next_wakeup() == at) break;
        }
        now_ = n.eng->next_wakeup();
        engine_output out;
        n.eng->tick(now_, out);
        engine_output early = out;
        early.sends.clear();
        for (const auto& s : out.sends) (s.lan < first_lans ? early.sends : n.held).push_back(s);
        handle(n, early);
        n.frozen_until = now_ + d;
    }

    /// Run until `pred()` holds (checked after every event) or `limit` passes;
    /// returns the time it first held, or nullopt.
    template <class Pred>
    std::optional<timestamp> run_until(timestamp limit, Pred pred) {
        while (now_ < limit) {
            run_until(now_ + ms(1));
            if (pred()) return now_;
        }
        return std::nullopt;
    }

    /// The node's installed faild routes, one "dst via ... dev ... src ..." a line.
    /// How many times a path of `n`'s went down.
    static std::size_t downs(const node& n) {
        std::size_t k = 0;
        for (const auto& c : effects_of<fx::path_changed>(n.log)) k += c.down();
        return k;
    }
    /// How many route changes of kind `what` `n` made.
    static std::size_t route_changes(const node& n, fx::route_changed::op what) {
        std::size_t k = 0;
        for (const auto& c : effects_of<fx::route_changed>(n.log)) k += c.what == what;
        return k;
    }

    static std::string routes(node& n) {
        std::string err, out;
        auto listed = n.table.list(err);  // keep the set alive while iterating it
        if (!listed) return "(the fake table cannot be read: " + err + ")\n";
        for (const auto& [dst, r] : *listed) out += r.to_string() + "\n";
        return out;
    }

    /// The node's link on LAN `li` loses (or regains) carrier: the switch
    /// port goes dark and the node's engine is told, as the kernel would.
    void set_carrier(node& n, std::size_t li, bool up) {
        net_.set_cut(n.ports[li], !up);
        auto lans = n.eng->lans();
        lans[li].carrier = up;
        engine_output out;
        n.eng->update_lans(lans, now_, out);
        handle(n, out);
    }

    /// Stops a node cleanly: BYE on every LAN, routes removed.
    void stop(node& n) {
        engine_output out;
        n.eng->shutdown(out);
        handle(n, out);
        n.rec->reconcile({}, sync_reason::shutdown, n.log);
        n.stopped = true;
    }

private:
    bool frozen(const node& n) const { return now_ < n.frozen_until; }

    void thaw(node& n) {
        n.frozen_until = timestamp(-1);
        engine_output out;
        for (const auto& d : n.unread) n.eng->receive(d.lan, d.from, d.from_port, d.bytes.data(), d.bytes.size(), d.at, out);
        n.unread.clear();
        out.sends.insert(out.sends.begin(), n.held.begin(), n.held.end());
        n.held.clear();
        handle(n, out);
    }

    std::pair<node*, std::size_t> owner(platform::fake_network::port_id p) {
        for (auto& n : nodes_)
            for (std::size_t li = 0; li < n->ports.size(); ++li)
                if (n->ports[li] == p) return {n.get(), li};
        return {nullptr, 0};
    }

    std::pair<attacker*, std::size_t> attacker_of(platform::fake_network::port_id p) {
        for (auto& a : attackers_)
            for (std::size_t li = 0; li < a->ports.size(); ++li)
                if (a->ports[li] == p) return {a.get(), li};
        return {nullptr, 0};
    }

    void handle(node& n, engine_output& out) {
        for (const auto& s : out.sends) net_.send(n.ports[s.lan], s.dst, s.port, 7793, s.bytes, now_);
        n.log.insert(n.log.end(), out.effects.begin(), out.effects.end());
        if (out.paths_changed) n.rec->reconcile(n.eng->desired_routes(), sync_reason::switchback, n.log);
    }

    platform::fake_network net_;
    std::vector<std::unique_ptr<node>> nodes_;
    std::vector<std::unique_ptr<attacker>> attackers_;
    timestamp now_{0};
};

/// The routes of three hosts on LANs A and B once h2's LAN A is cut: each
/// reaches the other's LAN-A address through LAN B.
inline constexpr const char* h1_routes = "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n";
inline constexpr const char* h2_routes =
    "192.0.2.1/32 via 198.51.100.1 dev eth1 src 192.0.2.2\n"
    "192.0.2.3/32 via 198.51.100.3 dev eth1 src 192.0.2.2\n";
inline constexpr const char* h3_routes = "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.3\n";

}  // namespace faild::sim
