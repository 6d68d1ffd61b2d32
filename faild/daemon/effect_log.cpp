#include "faild/daemon/effect_log.hpp"

#include "faild/core/options.hpp"
#include "faild/core/peer_table.hpp"

#include <chrono>
#include <string>

namespace faild {

namespace {

constexpr const char* first_of_its_kind = "first of its kind; later ones are counted in a line a minute at most";

event path_line(const char* module, severity level, const char* name, const path_ref& p) {
    event e(module, level, name);
    e.kv("peer", p.peer).kv("lan", p.lan).kv("family", to_string(p.fam));
    return e;
}

const char* route_op(fx::route_failed::op op) {
    switch (op) {
    case fx::route_failed::op::add: return "add";
    case fx::route_failed::op::replace: return "replace";
    case fx::route_failed::op::remove: return "remove";
    }
    return "?";
}

/// One overload per effect; std::visit picks it.
struct formatter {
    event operator()(const fx::path_new& x) const { return path_line("path", severity::debug, "path_new", x.path); }
    event operator()(const fx::path_changed& x) const {
        event e = path_line("path", x.down() ? severity::warning : severity::info, x.down() ? "path_down" : "path_up",
                            x.path);
        e.kv("from", to_string(x.from)).kv("missed", x.missed).kv("good", x.good);
        if (x.down()) e.kv("reason", to_string(x.reason));
        return e;
    }
    event operator()(const fx::path_forgotten& x) const {
        return path_line("path", severity::info, "path_forgotten", x.path)
            .kv("reason", "no advertised address in our prefixes");
    }
    event operator()(const fx::path_suppressed& x) const {
        return path_line("path", severity::warning, "path_suppressed", x.path)
            .kv("penalty", x.penalty)
            .kv("note", "flapping: routed around until the penalty decays");
    }
    event operator()(const fx::path_reused& x) const {
        return path_line("path", severity::info, "path_reused", x.path).kv("state", to_string(x.state));
    }
    event operator()(const fx::probe_retry& x) const {
        return path_line("path", severity::debug, "probe_retry", x.path)
            .kv("missed", x.missed)
            .kv("timeout_us", static_cast<long long>(x.timeout.count()));
    }
    event operator()(const fx::miss_held& x) const {
        return path_line("path", severity::info, "miss_held", x.path)
            .kv("reason", fx::to_string(x.reason))
            .kv("owed", x.owed);
    }
    event operator()(const fx::notice_sent& x) const {
        return path_line("path", severity::info, "notice_sent", x.path).kv("via", x.via);
    }
    event operator()(const fx::notice_received& x) const {
        return path_line("path", severity::info, "notice_received", x.path);
    }
    event operator()(const fx::notice_refuted& x) const {
        return path_line("path", severity::info, "notice_refuted", x.path);
    }
    event operator()(const fx::peer_seen& x) const {
        return event("peer", severity::info, "peer_seen").kv("peer", x.peer).kv("lan", x.lan).kv("addr", x.addr.to_string());
    }
    event operator()(const fx::peer_restarted& x) const {
        return event("peer", severity::info, "peer_restarted").kv("peer", x.peer).kv("incarnation", x.incarnation);
    }
    event operator()(const fx::peer_left& x) const {
        switch (x.reason) {
        case fx::peer_left::why::bye: return event("peer", severity::info, "bye").kv("peer", x.peer).kv("lan", x.lan);
        case fx::peer_left::why::lost: return event("peer", severity::warning, "peer_lost").kv("peer", x.peer);
        case fx::peer_left::why::evicted:
            return event("peer", severity::warning, "peer_evicted").kv("peer", x.peer).kv("reason", "peer table full");
        }
        return event("peer", severity::info, "bye").kv("peer", x.peer);
    }
    event operator()(const fx::bye_refuted& x) const {
        return event("peer", severity::warning, "bye_refuted")
            .kv("peer", x.peer)
            .kv("lan", x.lan)
            .kv("note", "a BYE came, but the peer answers: forged or replayed? First of its kind; later ones "
                        "are counted in a line a minute at most");
    }
    event operator()(const fx::address_proven& x) const {
        return event("peer", severity::info, "address_proven")
            .kv("peer", x.peer)
            .kv("addr", x.addr.to_string())
            .kv("lan", x.lan);
    }
    event operator()(const fx::claim_refuted& x) const {
        return event("peer", severity::warning, "claim_refuted")
            .kv("peer", x.peer)
            .kv("addr", x.addr.to_string())
            .kv("holder", x.holder)
            .kv("lan", x.lan)
            .kv("note", first_of_its_kind);
    }
    event operator()(const fx::claim_refused& x) const {
        return event("peer", severity::warning, "claim_refused")
            .kv("peer", x.peer)
            .kv("addr", x.addr.to_string())
            .kv("holder", x.holder)
            .kv("note", "another node proved it first and still advertises it; first of its kind");
    }
    event operator()(const fx::peer_limit& x) const {
        return event("peer", severity::warning, "peer_limit")
            .kv("max_peers", static_cast<long long>(x.max_peers))
            .kv("note", x.keyed ? "new node ids are refused while every known peer has a path up"
                                : "new node ids are refused while every known peer is proven on two LANs");
    }
    event operator()(const fx::log_suppressed& x) const {
        return event("peer", severity::warning, "log_suppressed")
            .kv("lines", static_cast<long long>(x.lines))
            .kv("what", "peer_seen/peer_evicted")
            .kv("note", "more new node ids than 20 a second: a flood?");
    }
    event operator()(const fx::node_id_collision& x) const {
        return event("peer", severity::error, "node_id_collision")
            .kv("node_id", x.node_id)
            .kv("lan", x.lan)
            .kv("from", x.from.to_string())
            .kv("hint", "give each host its own --node-id");
    }
    event operator()(const fx::incarnation_renewed& x) const {
        return event("daemon", severity::info, "incarnation_renewed")
            .kv("incarnation", x.incarnation)
            .kv("previous", x.previous)
            .kv("reason", "round sequence numbers used up");
    }
    event operator()(const fx::datagram_dropped& x) const {
        return event("wire", severity::warning, "drop")
            .kv("reason", x.reason)
            .kv("lan", x.lan)
            .kv("from", x.from.to_string())
            .kv("note", first_of_its_kind);
    }
    event operator()(const fx::repeated& x) const {
        event e(x.module, x.level, x.event);
        if (!x.reason.empty()) e.kv("reason", x.reason);
        e.kv("count", static_cast<long long>(x.count)).kv("seconds", x.seconds);
        if (x.lan) e.kv("lan", *x.lan);
        if (x.from) e.kv("from", x.from->to_string());
        e.kv("note", x.from ? "since the last line; lan and from: the latest" : "since the last line");
        return e;
    }
    event operator()(const fx::route_changed& x) const {
        using op = fx::route_changed::op;
        const bool restored = x.what == op::restored;
        const char* name = x.what == op::added      ? "route_added"
                           : x.what == op::replaced ? "route_replaced"
                           : x.what == op::removed  ? "route_removed"
                                                    : "route_restored";
        event e("route", restored ? severity::warning : severity::info, name);
        e.raw(x.r.to_kv());
        if (!x.peer.empty()) e.kv("peer", x.peer);
        if (x.what == op::removed) e.kv("reason", to_string(x.reason));
        if (restored) e.kv("note", "a faild route was removed by something else; put back");
        return e;
    }
    event operator()(const fx::route_failed& x) const {
        return event("route", severity::error, "route_failed").kv("op", route_op(x.what)).raw(x.r.to_kv()).kv("error", x.error);
    }
    event operator()(const fx::routes_adopted& x) const {
        return event("route", severity::info, "routes_adopted")
            .kv("count", static_cast<long long>(x.count))
            .kv("for", format_seconds(x.window));
    }
    event operator()(const fx::route_table_unreadable& x) const {
        return event("route", severity::error, "route_table_unreadable").kv("error", x.error);
    }
    event operator()(const fx::no_peer_heard& x) const {
        const std::string port = std::to_string(x.port);
        const std::string firewall =
            "check the firewall on every host: UDP port " + port +
            " in and out on every LAN, IPv4 broadcast and unicast, IPv6 to ff02::fa1d and unicast, "
            "and nothing between the hosts that lowers the TTL (probes arrive with 255 or are dropped)";
        event e("daemon", severity::warning, "no_peer_heard");
        e.kv("for", format_seconds(std::chrono::duration_cast<std::chrono::seconds>(x.quiet)));
        e.kv("requestor", x.requestor ? "yes" : "no").kv("port", x.port).kv("lans", x.lans);
        if (x.requestor)
            e.kv("hint", "no peer answered our INQs or sent its own: is faild running on the other hosts, with the "
                         "same port and key-file? " + firewall);
        else
            e.kv("hint", "this node only answers (requestor = no) and no requestor's INQ arrived: is any host on "
                         "these LANs a requestor (requestor = yes in faild.conf, or -r)? Else " + firewall);
        return e;
    }
    event operator()(const fx::peer_heard& x) const {
        return event("daemon", severity::info, "peer_heard")
            .kv("peers", static_cast<long long>(x.peers))
            .kv("note", "the silence is over");
    }
};

}  // namespace

event to_event(const effect& e) { return std::visit(formatter{}, e); }

}  // namespace faild
