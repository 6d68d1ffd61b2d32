// DOC: netns — which network namespace we run in, for per-namespace paths.
//
// faild's control socket guards against two instances fighting over one
// routing table, and a routing table belongs to a network namespace: in the
// machine's own namespace the path is /run/faild/control, in any other it is
// suffixed with the namespace's inode, so faild instances in separate
// namespaces (containers, the test lab) never collide and faildctl run in
// the same namespace finds its faild. The claims on interfaces
// (interface_lock.cpp) are named the same way.
#include "platform/platform.hpp"

#include <sys/stat.h>

#include <string>

namespace faild::platform {

/// "" in the machine's own network namespace, "-net<inode>" in any other.
std::string netns_suffix() {
    struct stat own {}, init {};
    if (stat("/proc/self/ns/net", &own) != 0) return "";
    if (stat("/proc/1/ns/net", &init) == 0 && own.st_ino == init.st_ino && own.st_dev == init.st_dev) return "";
    return "-net" + std::to_string(own.st_ino);
}

std::string default_control_socket() { return "/run/faild/control" + netns_suffix(); }

std::string default_lock_dir() { return "/run/faild/locks"; }

}  // namespace faild::platform
