// DOC: lan_diff — see lan_diff.hpp.
#include "faild/core/lan_diff.hpp"

#include <algorithm>

namespace faild {

namespace {

const interface_info* find_link(const std::vector<interface_info>& links, const std::string& name) {
    auto it = std::find_if(links.begin(), links.end(), [&](const auto& i) { return i.name == name; });
    return it == links.end() ? nullptr : &*it;
}

lan bare_lan(const std::string& name, int ifindex) {
    lan l;
    l.name = name;
    l.ifindex = ifindex;
    return l;
}

/// LAN `was` against its interface as read now (nullptr: gone).
lan_update update_of(const lan& was, bool was_present, const interface_info* link) {
    lan_update u;
    if (!link) {
        u.now = bare_lan(was.name, was.ifindex);
        u.now.carrier = false;
        u.present = false;
        u.gone = was_present;
    } else {
        u.now = to_lan(*link);
        u.back = !was_present || link->ifindex != was.ifindex;
        u.carrier_changed = u.now.carrier != was.carrier;
    }
    u.addresses_changed = u.now.addrs != was.addrs || u.now.link_local != was.link_local;
    u.changed = !same_lan(u.now, was);
    return u;
}

}  // namespace

bool eligible(const interface_info& i) {
    return i.up && !i.loopback && std::any_of(i.addrs.begin(), i.addrs.end(), [](const auto& a) {
               return a.addr.addr.is_v4() || a.addr.addr.is_routable_unicast();
           });
}

std::vector<interface_info> select_interfaces(const std::vector<std::string>& wanted,
                                              const std::vector<interface_info>& all, std::string& error) {
    std::vector<interface_info> out;
    if (!wanted.empty()) {
        for (const auto& name : wanted) {
            const interface_info* it = find_link(all, name);
            if (!it) {
                error = "interface '" + name + "' does not exist";
                return {};
            }
            if (it->loopback) {
                error = "interface '" + name + "' is a loopback interface";
                return {};
            }
            out.push_back(*it);
        }
        return out;
    }
    for (const auto& i : all)
        if (eligible(i)) out.push_back(i);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ifindex < b.ifindex; });
    if (out.empty())
        error = "no interface to monitor: none is up, not loopback, with an IPv4 or global IPv6 address";
    return out;
}

lan to_lan(const interface_info& i) {
    lan l = bare_lan(i.name, i.ifindex);
    l.carrier = i.up && i.running;
    for (const auto& a : i.addrs) {
        if (a.tentative && !a.dadfailed && !a.addr.addr.is_v4() && a.addr.addr.is_link_local()) l.v6_pending = true;
        if (a.tentative || a.dadfailed) continue;
        const ip_address& ad = a.addr.addr;
        if (ad.is_v4() || ad.is_routable_unicast()) l.addrs.push_back(a.addr);
        else if (!ad.is_v4() && ad.is_link_local() && !l.link_local) l.link_local = ad;
    }
    if (l.link_local) l.v6_pending = false;  // one usable is all it takes
    return l;
}

bool same_lan(const lan& a, const lan& b) {
    return a.name == b.name && a.ifindex == b.ifindex && a.addrs == b.addrs && a.link_local == b.link_local &&
           a.carrier == b.carrier && a.v6_pending == b.v6_pending;
}

std::string address_list(const lan& l) {
    std::string s;
    for (const auto& a : l.addrs) s += (s.empty() ? "" : ",") + a.to_string();
    if (l.link_local) s += (s.empty() ? "" : ",") + l.link_local->to_string();
    return s.empty() ? "none" : s;
}

bool droppable(std::size_t count, const std::vector<bool>& present, const lan_rules& rules,
               const paths_on_lan& has_paths_on) {
    return !rules.fixed && count > rules.startup_lans && count <= present.size() && !present[count - 1] &&
           !has_paths_on(count - 1);
}

lan_diff diff_lans(const std::vector<lan>& lans, const std::vector<bool>& present,
                   const std::vector<interface_info>& links, const lan_rules& rules,
                   const paths_on_lan& has_paths_on) {
    lan_diff d;
    std::vector<bool> now_present;
    for (std::size_t li = 0; li < lans.size(); ++li) {
        d.lans.push_back(update_of(lans[li], li < present.size() && present[li], find_link(links, lans[li].name)));
        now_present.push_back(d.lans.back().present);
    }
    d.kept = lans.size();
    while (droppable(d.kept, now_present, rules, has_paths_on)) now_present.resize(--d.kept);
    if (rules.fixed) return d;
    for (const auto& i : links) {
        bool known = std::any_of(lans.begin(), lans.begin() + std::ptrdiff_t(d.kept),
                                 [&](const lan& l) { return l.name == i.name; });
        if (!known && eligible(i)) d.added.push_back(i);
    }
    return d;
}

}  // namespace faild
