#include "faild/hooks.hpp"

namespace faild {

std::optional<hook_call> hook_for(const event& e, const std::string& node_id, const std::vector<lan>& lans,
                                  const peer_map& peers) {
    std::string kind, peer, lan_name, fam, reason, route_text;
    if (e.name == "path_down" || e.name == "path_up") {
        kind = e.name;
        peer = e.get("peer");
        lan_name = e.get("lan");
        fam = e.get("family");
        if (kind == "path_down") reason = e.get("reason");
    } else if (e.name == "peer_lost") {
        kind = e.name;
        peer = e.get("peer");
    } else if (e.name == "route_added" || (e.name == "route_removed" && e.get("reason") == "switchback")) {
        kind = e.name == "route_added" ? "failover" : "switchback";
        std::string dst = e.get("dst");
        auto a = ip_address::parse(dst.substr(0, dst.find('/')));
        if (!a) return std::nullopt;
        fam = to_string(a->fam());
        for (const auto& l : lans)
            if (l.in_prefixes(*a)) {
                lan_name = l.name;
                break;
            }
        for (const auto& [id, p] : peers)
            for (const auto& pa : p.addresses)
                if (pa == *a) peer = id;
        route_text = dst + " via " + e.get("via") + " dev " + e.get("dev") + " src " + e.get("src");
    } else {
        return std::nullopt;
    }
    hook_call c;
    auto dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
    c.args = {kind, dash(peer), dash(lan_name), dash(fam)};
    c.env = {"FAILD_EVENT=" + kind, "FAILD_PEER=" + peer, "FAILD_LAN=" + lan_name, "FAILD_FAMILY=" + fam,
             "FAILD_NODE_ID=" + node_id};
    if (!reason.empty()) c.env.push_back("FAILD_REASON=" + reason);
    if (!route_text.empty()) c.env.push_back("FAILD_ROUTE=" + route_text);
    return c;
}

}  // namespace faild
