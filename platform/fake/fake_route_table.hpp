// DOC: fake_route_table — an in-memory kernel routing table for tests
// (--dry-run has a table of its own: platform/null/).
//
// It keeps faild's routes (protocol faild::route_protocol) by destination
// with the kernel's semantics, as checked by the shared contract test
// (test/unit/route_table_contract.hpp): add of a destination that is taken
// fails "route exists", remove of a missing one fails "no such route",
// replace creates or changes in place. Routes of other owners can be planted
// with add_foreign(): like the kernel, the table never lists, removes or
// replaces them, and add() over them fails.
// apply() is the interface's default, one change at a time, so a batch
// behaves (and logs) exactly like the single calls.
// Test hooks: fail_next*() make the next call fail, operations() counts the
// writes, batches() the apply() calls. With a logger set, every change is
// also reported as one key=value line, as the dry-run table reports it.
#pragma once

#include "platform/platform.hpp"

#include <functional>

namespace faild::platform {

class fake_route_table final : public route_table {
public:
    /// Receives one line per applied change, e.g.
    /// "op=add dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1".
    using logger = std::function<void(const std::string& line)>;

    fake_route_table() = default;
    /// Dry-run table: changes are applied in memory and handed to `log`.
    explicit fake_route_table(logger log) : log_(std::move(log)) {}

    std::optional<route_set> list(std::string& error) override;
    op_result add(const route& r) override;
    op_result replace(const route& r) override;
    op_result remove(const route& r) override;
    /// One change after the other, exactly as add/replace/remove; counted
    /// by batches().
    std::vector<op_result> apply(const std::vector<route_change>& changes) override;

    // --- test hooks ---
    /// The next add/replace/remove returns `error` and changes nothing.
    void fail_next(std::string error) { fail_write_ = std::move(error); }
    /// The next list() returns nullopt with `error`.
    void fail_next_list(std::string error) { fail_list_ = std::move(error); }
    /// Calls of add/replace/remove so far, failed ones included.
    std::size_t operations() const { return operations_; }
    /// Calls of apply() so far (the changes in them count as operations).
    std::size_t batches() const { return batches_; }
    /// Calls of list() so far.
    std::size_t lists() const { return lists_; }
    /// Plant a route another program installed (protocol != route_protocol).
    void add_foreign(const route& r, int protocol = 4 /* RTPROT_STATIC */);
    /// Is the foreign route for `dst` still there?
    bool has_foreign(const ip_address& dst) const { return foreign_.count(dst) != 0; }
    /// faild's routes as they stand, without counting a list() call.
    const route_set& routes() const { return routes_; }
    /// Set (or clear, with {}) the dry-run logger.
    void set_logger(logger log) { log_ = std::move(log); }

private:
    op_result begin_write();
    void report(const char* op, const route& r) const;

    route_set routes_;
    std::map<ip_address, std::pair<route, int>> foreign_;
    std::string fail_write_;
    std::string fail_list_;
    std::size_t operations_ = 0;
    std::size_t lists_ = 0;
    std::size_t batches_ = 0;
    logger log_;
};

}  // namespace faild::platform
