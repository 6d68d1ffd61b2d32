#include "faild/route.hpp"

namespace faild {

std::string route::to_string() const {
    return dst.to_string() + (dst.is_v4() ? "/32" : "/128") + " via " + via.to_string() + " dev " + dev +
           " src " + src.to_string();
}

std::string route::to_kv() const {
    return "dst=" + dst.to_string() + (dst.is_v4() ? "/32" : "/128") + " via=" + via.to_string() +
           " dev=" + dev + " src=" + src.to_string();
}

}  // namespace faild
