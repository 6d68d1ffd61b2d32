// DOC: netlink_address — see netlink_address.hpp.
#include "platform/linux/netlink_address.hpp"

#include <netlink/addr.h>
#include <netlink/cache.h>

#include <sys/socket.h>

namespace faild::platform {

void nl_addr_release::operator()(nl_addr* a) const { nl_addr_put(a); }
void nl_cache_release::operator()(nl_cache* c) const { nl_cache_free(c); }

nl_addr_ptr to_nl_addr(const ip_address& a) {
    // nl_addr_build sets the prefix length to the full address: a host route.
    return nl_addr_ptr(nl_addr_build(a.is_v4() ? AF_INET : AF_INET6, a.data(), a.size()));
}

std::optional<ip_address> from_nl_addr(const nl_addr* a) {
    if (!a) return std::nullopt;
    auto* addr = const_cast<nl_addr*>(a);  // libnl's getters are not const-correct
    const auto* bytes = static_cast<const std::uint8_t*>(nl_addr_get_binary_addr(addr));
    unsigned len = nl_addr_get_len(addr);
    switch (nl_addr_get_family(addr)) {
    case AF_INET:
        if (len != 4) return std::nullopt;
        return ip_address::from_bytes(family::v4, bytes);
    case AF_INET6:
        if (len != 16) return std::nullopt;
        return ip_address::from_bytes(family::v6, bytes);
    default:
        return std::nullopt;
    }
}

}  // namespace faild::platform
