// DOC: rp_filter — the effective reverse-path filter mode of an interface.
//
// The kernel applies max(conf/all/rp_filter, conf/<if>/rp_filter). Strict
// mode (1) drops the peer's LAN-A probes once faild's failover route points
// at LAN B (the reverse path of their source is then LAN B), so recovery is
// never seen: faild needs 0 or 2. /proc/sys/net shows the network namespace
// of the reading process.
#include "platform/platform.hpp"

#include <cerrno>
#include <cstring>
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

namespace {

// An interface name is one path component, never "." or "..".
bool safe_name(const std::string& ifname) {
    return !ifname.empty() && ifname != "." && ifname != ".." && ifname.find('/') == std::string::npos;
}

}  // namespace

int rp_filter_mode(const std::string& ifname) {
    if (!safe_name(ifname)) return -1;
    int all = read_mode("/proc/sys/net/ipv4/conf/all/rp_filter");
    int own = read_mode("/proc/sys/net/ipv4/conf/" + ifname + "/rp_filter");
    if (all < 0 || own < 0) return -1;
    return all > own ? all : own;
}

bool set_rp_filter(const std::string& ifname, int value, std::string& error) {
    if (!safe_name(ifname)) {
        error = "bad interface name '" + ifname + "'";
        return false;
    }
    // Loose mode on the interface is enough: max(all, 2) is 2 unless `all`
    // says 2 already; `all` itself is left alone (other interfaces use it).
    const std::string path = "/proc/sys/net/ipv4/conf/" + ifname + "/rp_filter";
    std::ofstream out(path);
    if (!(out << value << "\n") || !out.flush()) {
        error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

}  // namespace faild::platform
