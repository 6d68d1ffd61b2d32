// DOC: null_route_table — the route table of a dry run (--dry-run): it
// changes nothing in the kernel, like chrony's null driver.
//
// It keeps faild's routes in memory with the kernel's semantics (the
// route-table contract, test/unit/route_table_contract.hpp: add of a taken
// destination fails "route exists", remove of a missing one "no such
// route", replace creates or changes in place, malformed routes are
// refused), so the reconciler reads back what it "installed" and plans the
// next change as it would for real. Each change it accepts is handed to
// its reporter as one key=value line, "op=add dst=192.0.2.2/32
// via=198.51.100.2 dev=eth1 src=192.0.2.1", which the daemon logs as
// `event=dry_run`. It starts empty: a real faild route already in the
// kernel is neither adopted nor removed. Nothing else writes to it, so it
// has no foreign routes. apply() is the interface's default, one change
// at a time.
#pragma once

#include "platform/platform.hpp"

#include <functional>
#include <string>

namespace faild::platform {

class null_route_table final : public route_table {
public:
    /// Receives one line per change made.
    using reporter = std::function<void(const std::string& line)>;

    explicit null_route_table(reporter report) : report_(std::move(report)) {}

    std::optional<route_set> list(std::string& error) override;
    op_result add(const route& r) override;
    op_result replace(const route& r) override;
    op_result remove(const route& r) override;

private:
    void report(const char* op, const route& r) const;

    route_set routes_;
    reporter report_;
};

}  // namespace faild::platform
