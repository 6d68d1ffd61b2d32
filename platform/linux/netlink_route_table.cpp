// DOC: netlink_route_table — see netlink_route_table.hpp.
//
// How the kernel keys routes matters here. An IPv4 route is identified by
// (table, dst/len, tos, priority) and an IPv6 one by (table, dst/len,
// metric); the protocol is NOT part of the key. Hence:
//  - add (NLM_F_CREATE|NLM_F_EXCL) fails with EEXIST both on our own route
//    and on a foreign one for the same destination: good, never touched.
//  - delete carries protocol 250, and both stacks skip routes of another
//    protocol (ESRCH when nothing matches): a foreign route survives.
//  - replace (NLM_F_CREATE|NLM_F_REPLACE) swaps whatever route holds the key,
//    whoever installed it. So replace() looks for a foreign holder first —
//    a full dump (~0.6 ms with 1,000 routes) — except for destinations our
//    own route held at the last list(), which is how the reconciler calls
//    it. (A window remains if, between list() and replace(), somebody
//    deletes our route and installs theirs.)
#include "platform/linux/netlink_route_table.hpp"

#include "platform/linux/netlink_address.hpp"

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include <linux/rtnetlink.h>
#include <net/if.h>

namespace faild::platform {

namespace {

// What the kernel files an added route under when no priority is given:
// IPv4 keeps 0, IPv6 turns 0 into IP6_RT_PRIO_USER (1024).
std::uint32_t default_priority(family fam) { return fam == family::v4 ? 0 : 1024; }

struct route_release {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
using route_ptr = std::unique_ptr<rtnl_route, route_release>;


/// Calls `fn(route, dst)` for every route of the main table whose
/// destination is a host route (/32 or /128).
template <typename Fn>
int for_each_main_host_route(nl_sock* sock, Fn&& fn) {
    nl_cache* raw = nullptr;
    int err = rtnl_route_alloc_cache(sock, AF_UNSPEC, 0, &raw);
    if (err < 0) return err;
    nl_cache_ptr cache(raw);
    for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
        auto* rt = reinterpret_cast<rtnl_route*>(o);
        if (rtnl_route_get_table(rt) != RT_TABLE_MAIN) continue;
        nl_addr* dst_addr = rtnl_route_get_dst(rt);
        auto dst = from_nl_addr(dst_addr);
        if (!dst || nl_addr_get_prefixlen(dst_addr) != dst->size() * 8) continue;
        fn(rt, *dst);
    }
    return 0;
}

}  // namespace

std::unique_ptr<netlink_route_table> netlink_route_table::open(std::string& error) {
    std::unique_ptr<netlink_route_table> t(new netlink_route_table());
    if (!t->sock_.ok()) {
        error = t->sock_.error();
        return nullptr;
    }
    return t;
}

std::optional<route_set> netlink_route_table::list(std::string& error) {
    route_set out;
    std::set<ip_address> ours;
    sock_.clear_kernel_error();
    int err = for_each_main_host_route(sock_.get(), [&](rtnl_route* rt, const ip_address& dst) {
        if (rtnl_route_get_protocol(rt) != route_protocol) return;
        // Any type is listed (a tagged blackhole would be ours to replace or
        // remove); faild itself only installs unicast routes.
        route r;
        r.dst = dst;
        if (auto src = from_nl_addr(rtnl_route_get_pref_src(rt))) r.src = *src;
        // faild installs single-next-hop routes; of anything else we report
        // the first next hop, which is enough to see it differs and replace it.
        if (rtnl_route_get_nnexthops(rt) > 0) {
            rtnl_nexthop* nh = rtnl_route_nexthop_n(rt, 0);
            if (auto via = from_nl_addr(rtnl_route_nh_get_gateway(nh))) r.via = *via;
            r.ifindex = rtnl_route_nh_get_ifindex(nh);
            char name[IF_NAMESIZE] = {};
            if (r.ifindex > 0 && if_indextoname(unsigned(r.ifindex), name)) r.dev = name;
        }
        out[r.dst] = r;
        if (rtnl_route_get_tos(rt) == 0 && rtnl_route_get_priority(rt) == default_priority(dst.fam()))
            ours.insert(dst);
    });
    if (err < 0) {
        error = "cannot read the routing table: " + sock_.describe(err);
        return std::nullopt;
    }
    ours_ = std::move(ours);
    return out;
}

std::optional<int> netlink_route_table::foreign_holder(const ip_address& dst, std::string& error) {
    std::optional<int> holder;
    sock_.clear_kernel_error();
    int err = for_each_main_host_route(sock_.get(), [&](rtnl_route* rt, const ip_address& d) {
        if (d != dst || rtnl_route_get_protocol(rt) == route_protocol) return;
        if (rtnl_route_get_tos(rt) != 0 || rtnl_route_get_priority(rt) != default_priority(dst.fam())) return;
        holder = rtnl_route_get_protocol(rt);
    });
    if (err < 0) error = "cannot read the routing table: " + sock_.describe(err);
    return holder;
}

op_result netlink_route_table::write(const route& r, int flags) {
    if (auto bad = r.problem(); !bad.empty()) return {bad};
    int ifindex = r.ifindex;
    if (ifindex <= 0) {
        ifindex = int(if_nametoindex(r.dev.c_str()));
        if (ifindex == 0) return {"no such interface " + r.dev};
    }

    route_ptr rt(rtnl_route_alloc());
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!rt || !nh) {
        if (nh) rtnl_route_nh_free(nh);
        return {"out of memory"};
    }
    rtnl_route_set_family(rt.get(), r.dst.is_v4() ? AF_INET : AF_INET6);
    rtnl_route_set_table(rt.get(), RT_TABLE_MAIN);
    rtnl_route_set_type(rt.get(), RTN_UNICAST);
    rtnl_route_set_scope(rt.get(), RT_SCOPE_UNIVERSE);
    rtnl_route_set_protocol(rt.get(), route_protocol);
    nl_addr_ptr dst = to_nl_addr(r.dst);
    nl_addr_ptr src = r.src.is_unspecified() ? nullptr : to_nl_addr(r.src);
    nl_addr_ptr via = r.via.is_unspecified() ? nullptr : to_nl_addr(r.via);
    if (!dst || (!r.src.is_unspecified() && !src) || (!r.via.is_unspecified() && !via)) {
        rtnl_route_nh_free(nh);
        return {"out of memory"};
    }
    rtnl_route_set_dst(rt.get(), dst.get());  // takes its own reference
    if (src) rtnl_route_set_pref_src(rt.get(), src.get());
    // The ifindex is always set on the next hop: an IPv6 next hop that is
    // link-local (fe80::/10) means nothing without it (EINVAL otherwise).
    rtnl_route_nh_set_ifindex(nh, ifindex);
    if (via) rtnl_route_nh_set_gateway(nh, via.get());
    rtnl_route_add_nexthop(rt.get(), nh);  // the route owns nh now

    sock_.clear_kernel_error();
    int err = rtnl_route_add(sock_.get(), rt.get(), NLM_F_CREATE | flags);
    if (err == 0) {
        ours_.insert(r.dst);
        return {};
    }
    if (err == -NLE_EXIST) {
        std::string ignored;
        if (foreign_holder(r.dst, ignored)) return {"route exists (not faild's)"};
        return {"route exists"};
    }
    return {sock_.describe(err)};
}

op_result netlink_route_table::add(const route& r) { return write(r, NLM_F_EXCL); }

op_result netlink_route_table::replace(const route& r) {
    if (auto bad = r.problem(); !bad.empty()) return {bad};
    if (!ours_.count(r.dst)) {
        std::string error;
        auto holder = foreign_holder(r.dst, error);
        if (!error.empty()) return {error};
        if (holder) return {"route exists (not faild's)"};
    }
    return write(r, NLM_F_REPLACE);
}

op_result netlink_route_table::remove(const route& r) {
    if (r.dst.is_unspecified()) return {"no destination"};
    route_ptr rt(rtnl_route_alloc());
    nl_addr_ptr dst = to_nl_addr(r.dst);
    if (!rt || !dst) return {"out of memory"};
    rtnl_route_set_family(rt.get(), r.dst.is_v4() ? AF_INET : AF_INET6);
    rtnl_route_set_table(rt.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(rt.get(), route_protocol);
    rtnl_route_set_dst(rt.get(), dst.get());
    // Match by destination + table + protocol only: no next hop, any scope
    // (RT_SCOPE_NOWHERE), any type (RTN_UNSPEC), any priority (0). Left
    // unset, libnl would fill in type unicast and a guessed scope, and a
    // stale route of ours with another scope could never be removed.
    rtnl_route_set_scope(rt.get(), RT_SCOPE_NOWHERE);
    rtnl_route_set_type(rt.get(), RTN_UNSPEC);

    sock_.clear_kernel_error();
    int err = rtnl_route_delete(sock_.get(), rt.get(), 0);
    if (err == 0 || err == -NLE_OBJ_NOTFOUND) ours_.erase(r.dst);
    if (err == 0) return {};
    if (err == -NLE_OBJ_NOTFOUND) return {"no such route"};
    return {sock_.describe(err)};
}

std::unique_ptr<route_table> make_route_table(std::string& error) {
    return netlink_route_table::open(error);
}

}  // namespace faild::platform
