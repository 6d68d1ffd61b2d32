// DOC: netlink_link_source — see netlink_link_source.hpp.
//
// Flags as the kernel reports them: `running` is IFF_RUNNING or
// IFF_LOWER_UP. On carrier loss both clear while IFF_UP stays, which is how
// a dead wire is told from an interface an operator took down.
// IPv6 addresses carry IFA_F_TENTATIVE for ~2 s after they appear (DAD) and
// IFA_F_DADFAILED for good when a duplicate answered; libnl reads the 32-bit
// IFA_FLAGS attribute, so both show up in rtnl_addr_get_flags().
#include "platform/linux/netlink_link_source.hpp"

#include "platform/linux/netlink_address.hpp"

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include <linux/if.h>
#include <linux/if_addr.h>

#include <cstdio>
#include <map>

namespace faild::platform {

namespace {

/// "aa:bb:cc:dd:ee:ff" for a 6-byte hardware address; "" for none, for
/// another length (tunnels) and for all zeros (loopback).
std::string mac_text(nl_addr* a) {
    if (!a || nl_addr_get_len(a) != 6) return {};
    const auto* b = static_cast<const unsigned char*>(nl_addr_get_binary_addr(a));
    if ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0) return {};
    char text[18];
    std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    return text;
}

}  // namespace

std::unique_ptr<netlink_link_source> netlink_link_source::open(std::string& error) {
    std::unique_ptr<netlink_link_source> s(new netlink_link_source());
    if (!s->sock_.ok()) {
        error = s->sock_.error();
        return nullptr;
    }
    return s;
}

std::vector<interface_info> netlink_link_source::list(std::string& error) {
    nl_cache* raw_links = nullptr;
    sock_.clear_kernel_error();
    if (int err = rtnl_link_alloc_cache(sock_.get(), AF_UNSPEC, &raw_links); err < 0) {
        error = "cannot list interfaces: " + sock_.describe(err);
        return {};
    }
    nl_cache_ptr links(raw_links);
    nl_cache* raw_addrs = nullptr;
    sock_.clear_kernel_error();
    if (int err = rtnl_addr_alloc_cache(sock_.get(), &raw_addrs); err < 0) {
        error = "cannot list addresses: " + sock_.describe(err);
        return {};
    }
    nl_cache_ptr addrs(raw_addrs);

    std::vector<interface_info> out;
    std::map<int, std::size_t> by_index;
    for (nl_object* o = nl_cache_get_first(raw_links); o; o = nl_cache_get_next(o)) {
        auto* link = reinterpret_cast<rtnl_link*>(o);
        interface_info i;
        const char* name = rtnl_link_get_name(link);
        i.name = name ? name : "";
        i.ifindex = rtnl_link_get_ifindex(link);
        unsigned flags = rtnl_link_get_flags(link);
        i.up = flags & IFF_UP;
        i.running = (flags & IFF_RUNNING) || (flags & IFF_LOWER_UP);
        i.loopback = flags & IFF_LOOPBACK;
        i.mac = mac_text(rtnl_link_get_addr(link));
        by_index[i.ifindex] = out.size();
        out.push_back(std::move(i));
    }

    for (nl_object* o = nl_cache_get_first(raw_addrs); o; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        auto it = by_index.find(rtnl_addr_get_ifindex(a));
        if (it == by_index.end()) continue;  // link vanished between the two dumps
        // libnl files IPv6's lone IFA_ADDRESS as the local address, and
        // IFA_LOCAL (ours, even on point-to-point links) for IPv4.
        auto local = from_nl_addr(rtnl_addr_get_local(a));
        if (!local) continue;
        interface_address ia;
        ia.addr = prefix{*local, std::uint8_t(rtnl_addr_get_prefixlen(a))};
        unsigned flags = rtnl_addr_get_flags(a);
        ia.tentative = flags & IFA_F_TENTATIVE;
        ia.dadfailed = flags & IFA_F_DADFAILED;
        out[it->second].addrs.push_back(ia);
    }
    return out;
}

std::unique_ptr<link_source> make_link_source(std::string& error) {
    return netlink_link_source::open(error);
}

}  // namespace faild::platform
