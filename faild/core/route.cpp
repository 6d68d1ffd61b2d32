#include "faild/core/route.hpp"

namespace faild {

std::string route::to_string() const {
    return dst.to_string() + (dst.is_v4() ? "/32" : "/128") + " via " + via.to_string() + " dev " + dev +
           " src " + src.to_string();
}

std::string route::to_kv() const {
    return "dst=" + dst.to_string() + (dst.is_v4() ? "/32" : "/128") + " via=" + via.to_string() +
           " dev=" + dev + " src=" + src.to_string();
}

std::string route::problem() const {
    if (dst.is_unspecified()) return "no destination";
    if (!via.is_unspecified() && via.fam() != dst.fam())
        return "address families differ (dst " + dst.to_string() + ", via " + via.to_string() + ")";
    if (!src.is_unspecified() && src.fam() != dst.fam())
        return "address families differ (dst " + dst.to_string() + ", src " + src.to_string() + ")";
    if (ifindex <= 0 && dev.empty()) return "no outgoing interface";
    return {};
}

const char* to_string(sync_reason r) {
    switch (r) {
    case sync_reason::none: return "";
    case sync_reason::stale: return "stale";
    case sync_reason::switchback: return "switchback";
    case sync_reason::replanned: return "replanned";
    case sync_reason::peer_gone: return "peer_gone";
    case sync_reason::shutdown: return "shutdown";
    case sync_reason::repair: return "repair";
    }
    return "";
}

}  // namespace faild
