// DOC: null_route_table — see null_route_table.hpp.
#include "platform/null/null_route_table.hpp"

#include "platform/listed_route.hpp"

namespace faild::platform {

std::optional<route_set> null_route_table::list(std::string&) { return routes_; }

op_result null_route_table::add(const route& r) {
    if (auto bad = r.problem(); !bad.empty()) return {bad};
    if (routes_.count(r.dst)) return {"route exists"};
    routes_[r.dst] = as_listed(r);
    report("add", r);
    return {};
}

op_result null_route_table::replace(const route& r) {
    if (auto bad = r.problem(); !bad.empty()) return {bad};
    routes_[r.dst] = as_listed(r);
    report("replace", r);
    return {};
}

op_result null_route_table::remove(const route& r) {
    if (r.dst.is_unspecified()) return {"no destination"};
    auto it = routes_.find(r.dst);
    if (it == routes_.end()) return {"no such route"};
    report("remove", it->second);
    routes_.erase(it);
    return {};
}

void null_route_table::report(const char* op, const route& r) const {
    if (report_) report_(std::string("op=") + op + " " + r.to_kv());
}

}  // namespace faild::platform
