// DOC: fake_route_table — see fake_route_table.hpp.
#include "platform/fake/fake_route_table.hpp"

#include "platform/listed_route.hpp"

namespace faild::platform {

std::optional<route_set> fake_route_table::list(std::string& error) {
    ++lists_;
    if (!fail_list_.empty()) {
        error = std::move(fail_list_);
        fail_list_.clear();
        return std::nullopt;
    }
    return routes_;
}

op_result fake_route_table::begin_write() {
    ++operations_;
    op_result r{std::move(fail_write_)};
    fail_write_.clear();
    return r;
}

op_result fake_route_table::add(const route& r) {
    if (auto injected = begin_write(); !injected.ok()) return injected;
    if (auto bad = r.problem(); !bad.empty()) return {bad};
    if (foreign_.count(r.dst)) return {"route exists (not faild's)"};
    if (routes_.count(r.dst)) return {"route exists"};
    routes_[r.dst] = as_listed(r);
    report("add", r);
    return {};
}

op_result fake_route_table::replace(const route& r) {
    if (auto injected = begin_write(); !injected.ok()) return injected;
    if (auto bad = r.problem(); !bad.empty()) return {bad};
    if (foreign_.count(r.dst)) return {"route exists (not faild's)"};
    routes_[r.dst] = as_listed(r);
    report("replace", r);
    return {};
}

op_result fake_route_table::remove(const route& r) {
    if (auto injected = begin_write(); !injected.ok()) return injected;
    if (r.dst.is_unspecified()) return {"no destination"};
    auto it = routes_.find(r.dst);
    if (it == routes_.end()) return {"no such route"};
    report("remove", it->second);
    routes_.erase(it);
    return {};
}

std::vector<op_result> fake_route_table::apply(const std::vector<route_change>& changes) {
    ++batches_;
    return route_table::apply(changes);
}

void fake_route_table::add_foreign(const route& r, int protocol) {
    foreign_[r.dst] = {as_listed(r), protocol};
}

void fake_route_table::report(const char* op, const route& r) const {
    if (log_) log_(std::string("op=") + op + " " + r.to_kv());
}

}  // namespace faild::platform
