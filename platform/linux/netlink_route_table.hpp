// DOC: netlink_route_table — faild's host routes in the kernel's routing
// table (main unless configured otherwise), through libnl-route-3.
//
// Every route faild installs is a unicast host route (/32, /128) in its
// route_owner's table (main), scope universe, tagged with its protocol
// (faild::route_protocol, 250). list() reads back only routes with that tag
// in that table; remove() deletes by destination + table + tag, so the
// kernel itself refuses to touch a route someone else (another faild with
// another tag, too) installed for the same destination. replace() is the one
// operation the kernel would let clobber a foreign route (see the .cpp), so
// it checks first, unless the destination was ours at the last list().
//
// apply() is the real batch: libnl builds each request, and they go to the
// kernel back to back, many netlink messages in one sendmsg(), in chunks of
// batch_chunk (or batch_bytes); then every ACK is collected and matched to its request by
// sequence number. add(), replace() and remove() are batches of one.
#pragma once

#include "platform/linux/netlink_socket.hpp"
#include "platform/platform.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

struct nl_msg;

namespace faild::platform {

class netlink_route_table final : public route_table {
public:
    /// Requests per sendmsg(). All their ACKs are queued on our socket
    /// before sendmsg() returns (the kernel handles them in our call), so
    /// the chunk must fit the receive buffer, which open() enlarges.
    static constexpr std::size_t batch_chunk = 256;
    /// And at most this many bytes per sendmsg() (the kernel refuses a
    /// datagram near its send buffer, ~200 KiB, with EMSGSIZE); a route
    /// request is ~100 bytes, so batch_chunk is the limit that bites.
    static constexpr std::size_t batch_bytes = 64 * 1024;

    /// nullptr and `error` when the netlink socket cannot be opened.
    static std::unique_ptr<netlink_route_table> open(std::string& error, const route_owner& owner = {});

    std::optional<route_set> list(std::string& error) override;
    op_result add(const route& r) override;
    op_result replace(const route& r) override;
    op_result remove(const route& r) override;
    std::vector<op_result> apply(const std::vector<route_change>& changes) override;

private:
    explicit netlink_route_table(const route_owner& owner) : owner_(owner) {}

    /// Destinations whose kernel key (same destination, same priority) a
    /// route in our table holds that is not ours, with its protocol; empty
    /// and `error` when the table cannot be read.
    std::map<ip_address, int> foreign_holders(std::string& error);
    /// One built request of a batch and, once answered, the kernel's word.
    struct pending;
    /// Who holds the destinations a batch's replaces name (one dump, only
    /// when one of them was not ours at the last list()).
    struct foreign_check {
        std::optional<std::map<ip_address, int>> holders;
        std::string error;  ///< the table could not be read
    };
    foreign_check check_foreign(const std::vector<route_change>& changes);
    /// The netlink request for one change; nullptr and `error` (its result)
    /// when it is refused before it leaves (malformed, someone else's).
    nl_msg* build_request(const route_change& c, const foreign_check& foreign, std::string& error) const;
    /// The request, numbered, as the batch sends it (frees `msg`).
    pending to_pending(std::size_t index, nl_msg* msg);
    /// Sends `msgs` in chunks (batch_chunk, batch_bytes).
    void send_all(std::vector<pending>& msgs);
    /// Sends the requests [first, last) of `msgs` in one sendmsg() and
    /// collects an answer for each.
    void send_chunk(std::vector<pending>& msgs, std::size_t first, std::size_t last);
    /// Reads the ACKs for `by_seq`; "" when each has its answer, else why
    /// the rest will not come.
    std::string collect_acks(std::map<std::uint32_t, pending*>& by_seq);
    /// Marks the requests that the ACKs in `data` answer; how many.
    static std::size_t take_acks(const char* data, std::size_t len, std::map<std::uint32_t, pending*>& by_seq);
    /// The kernel's answers as results, worded as the single calls word
    /// them; keeps ours_ up to date.
    void read_answers(const std::vector<route_change>& changes, const std::vector<pending>& msgs,
                      std::vector<op_result>& out);

    route_owner owner_;
    netlink_socket sock_;
    /// Destinations whose kernel key our own route held at the last list(),
    /// kept up to date by our own writes: replace() needs no check there.
    std::set<ip_address> ours_;
    /// Sequence numbers of batched requests: a space of their own, so
    /// libnl's count for its own requests (list()) stays in step.
    std::uint32_t seq_ = 0x40000000;
    /// Where ACKs are read into (recvmmsg slots), allocated at first use.
    std::unique_ptr<char[]> ack_buffer_;
};

}  // namespace faild::platform
