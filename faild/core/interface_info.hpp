// DOC: interface_info — an interface and its addresses as the OS reports
// them: what the platform's link_source fills in and the core reads to
// choose and update its LANs (lan_diff). Plain data, no OS in it.
#pragma once

#include "faild/core/ip_address.hpp"

#include <string>
#include <vector>

namespace faild {

/// One address of ours on an interface, with its on-link prefix length.
struct interface_address {
    prefix addr;             ///< e.g. 192.0.2.1/24
    bool tentative = false;  ///< IPv6 DAD still running: not usable yet
    bool dadfailed = false;  ///< IPv6 DAD failed: never usable
};

struct interface_info {
    std::string name;
    int ifindex = 0;
    bool up = false;        ///< administratively up (IFF_UP)
    bool running = false;   ///< carrier present (IFF_RUNNING / LOWER_UP)
    bool loopback = false;  ///< IFF_LOOPBACK
    std::string mac;        ///< "aa:bb:..", empty when the link has none
    std::vector<interface_address> addrs;
};

}  // namespace faild
