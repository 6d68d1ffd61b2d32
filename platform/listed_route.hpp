// DOC: listed_route — a route as the kernel lists it back: an absent next
// hop or source reads as the default (unspecified) address. The in-memory
// tables (null/, fake/) store routes in this form.
#pragma once

#include "faild/core/route.hpp"

namespace faild::platform {

inline route as_listed(route r) {
    if (r.via.is_unspecified()) r.via = ip_address();
    if (r.src.is_unspecified()) r.src = ip_address();
    return r;
}

}  // namespace faild::platform
