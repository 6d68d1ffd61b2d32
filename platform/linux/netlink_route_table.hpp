// DOC: netlink_route_table — faild's host routes in the kernel's main table,
// through libnl-route-3.
//
// Every route faild installs is a unicast host route (/32, /128) in table
// main, scope universe, tagged with protocol faild::route_protocol (250).
// list() reads back only routes with that tag; remove() deletes by
// destination + table + tag, so the kernel itself refuses to touch a route
// someone else installed for the same destination. replace() is the one
// operation the kernel would let clobber a foreign route (see the .cpp), so
// it checks first, unless the destination was ours at the last list().
#pragma once

#include "platform/linux/netlink_socket.hpp"
#include "platform/platform.hpp"

#include <set>

namespace faild::platform {

class netlink_route_table final : public route_table {
public:
    /// nullptr and `error` when the netlink socket cannot be opened.
    static std::unique_ptr<netlink_route_table> open(std::string& error);

    std::optional<route_set> list(std::string& error) override;
    op_result add(const route& r) override;
    op_result replace(const route& r) override;
    op_result remove(const route& r) override;

private:
    netlink_route_table() = default;

    /// Protocol of a route in the main table that is not faild's and holds
    /// the kernel's key for `dst` (same destination, same priority), if any.
    std::optional<int> foreign_holder(const ip_address& dst, std::string& error);
    op_result write(const route& r, int flags);

    netlink_socket sock_;
    /// Destinations whose kernel key our own route held at the last list(),
    /// kept up to date by our own writes: replace() needs no check there.
    std::set<ip_address> ours_;
};

}  // namespace faild::platform
