// DOC: netlink_address — conversions between faild's ip_address and libnl's
// nl_addr, and the owning pointers for libnl objects used by the backend.
#pragma once

#include "faild/core/ip_address.hpp"

#include <memory>
#include <optional>

struct nl_addr;
struct nl_cache;

namespace faild::platform {

struct nl_addr_release {
    void operator()(nl_addr* a) const;
};
struct nl_cache_release {
    void operator()(nl_cache* c) const;
};
using nl_addr_ptr = std::unique_ptr<nl_addr, nl_addr_release>;
using nl_cache_ptr = std::unique_ptr<nl_cache, nl_cache_release>;

/// A host nl_addr (/32 or /128) holding `a`; nullptr when out of memory.
nl_addr_ptr to_nl_addr(const ip_address& a);
/// The address held by an AF_INET/AF_INET6 nl_addr; nullopt for anything else.
std::optional<ip_address> from_nl_addr(const nl_addr* a);

}  // namespace faild::platform
