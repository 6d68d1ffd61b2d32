// DOC: route_table — the kernel routing table as the core sees it: faild's
// own host routes, read back and changed one at a time or in a batch. The
// platform's backends implement it (linux/: netlink; null/: --dry-run;
// fake/: tests); the core (reconciler, route_sync) only calls it.
#pragma once

#include "faild/core/route.hpp"

#include <optional>
#include <string>
#include <vector>

namespace faild {

/// Result of one route operation: empty error means success.
struct op_result {
    std::string error;  ///< human readable, empty on success
    bool ok() const { return error.empty(); }
};

/// One change to the route table, as the reconciler plans it and a batch
/// (route_table::apply) carries it.
struct route_change {
    enum class kind { add, replace, remove } op;
    route r;
    bool operator==(const route_change& o) const { return op == o.op && r == o.r; }
};

/// The kernel routing table, restricted to faild's own routes (those tagged
/// with its route_owner's protocol in its table). Nothing else is ever read
/// back or changed through this interface.
class route_table {
public:
    virtual ~route_table() = default;
    /// faild-tagged host routes currently installed; nullopt (and `error`)
    /// when the table cannot be read.
    virtual std::optional<route_set> list(std::string& error) = 0;
    /// Install a route that is not there yet.
    virtual op_result add(const route& r) = 0;
    /// Change an installed route in place (next hop, dev, src): no gap.
    virtual op_result replace(const route& r) = 0;
    /// Remove an installed faild route (matched by destination and tag).
    virtual op_result remove(const route& r) = 0;
    /// Apply `changes` in their order, as one batch: each with exactly the
    /// meaning (and errors) of add/replace/remove above. Returns one result
    /// per change, at the same index; a failed change does not stop the ones
    /// after it. This default applies them one at a time; a backend that can
    /// hand the kernel many at once (linux/) overrides it.
    virtual std::vector<op_result> apply(const std::vector<route_change>& changes);
};

inline std::vector<op_result> route_table::apply(const std::vector<route_change>& changes) {
    std::vector<op_result> out;
    out.reserve(changes.size());
    for (const auto& c : changes) {
        switch (c.op) {
        case route_change::kind::add: out.push_back(add(c.r)); break;
        case route_change::kind::replace: out.push_back(replace(c.r)); break;
        case route_change::kind::remove: out.push_back(remove(c.r)); break;
        }
    }
    return out;
}

}  // namespace faild
