// DOC: rp_filter — the effective reverse-path filter mode of an interface.
//
// The kernel applies max(conf/all/rp_filter, conf/<if>/rp_filter). Strict
// mode (1) drops the peer's LAN-A probes once faild's failover route points
// at LAN B (the reverse path of their source is then LAN B), so recovery is
// never seen: faild needs 0 or 2. /proc/sys/net shows the network namespace
// of the reading process.
#include "platform/platform.hpp"

#include <fstream>

namespace faild::platform {

namespace {

int read_mode(const std::string& path) {
    std::ifstream in(path);
    int value = -1;
    if (!(in >> value) || value < 0) return -1;
    return value;
}

}  // namespace

int rp_filter_mode(const std::string& ifname) {
    // An interface name is one path component, never "." or "..".
    if (ifname.empty() || ifname == "." || ifname == ".." || ifname.find('/') != std::string::npos) return -1;
    int all = read_mode("/proc/sys/net/ipv4/conf/all/rp_filter");
    int own = read_mode("/proc/sys/net/ipv4/conf/" + ifname + "/rp_filter");
    if (all < 0 || own < 0) return -1;
    return all > own ? all : own;
}

}  // namespace faild::platform
