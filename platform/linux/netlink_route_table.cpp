// DOC: netlink_route_table — see netlink_route_table.hpp.
//
// How the kernel keys routes matters here. An IPv4 route is identified by
// (table, dst/len, tos, priority) and an IPv6 one by (table, dst/len,
// metric); the protocol is NOT part of the key. Hence:
//  - add (NLM_F_CREATE|NLM_F_EXCL) fails with EEXIST both on our own route
//    and on a foreign one for the same destination: good, never touched.
//  - delete carries protocol 250, and both stacks skip routes of another
//    protocol (ESRCH when nothing matches): a foreign route survives.
//  - replace (NLM_F_CREATE|NLM_F_REPLACE) swaps whatever route holds the key,
//    whoever installed it. So replace() looks for a foreign holder first —
//    a full dump (~0.6 ms with 1,000 routes), one per batch — except for
//    destinations our own route held at the last list(), which is how the
//    reconciler calls it. (A window remains if, between list() and the
//    batch, somebody deletes our route and installs theirs.)
//
// Batches. The kernel takes a datagram holding many netlink messages and
// handles them one after the other inside our sendmsg(), answering each
// (NLM_F_ACK) whether an earlier one failed or not; so one sendmsg() carries
// a chunk of requests and its ACKs are all queued when it returns. They are
// read with recvmmsg() and matched to their requests by sequence number
// (numbers of our own, apart from libnl's, whose strict in-order check for
// list() must not see them). What the kernel refused is worded as the
// one-at-a-time calls always worded it: EEXIST on add becomes "route
// exists" (with "(not faild's)" after one dump for the whole batch),
// ESRCH/ENOENT on delete "no such route", anything else the kernel's
// errno and extended-ack text. A request that is malformed never leaves.
#include "platform/linux/netlink_route_table.hpp"

#include "platform/linux/netlink_address.hpp"

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace faild::platform {

namespace {

// What the kernel files an added route under when no priority is given:
// IPv4 keeps 0, IPv6 turns 0 into IP6_RT_PRIO_USER (1024).
std::uint32_t default_priority(family fam) { return fam == family::v4 ? 0 : 1024; }

struct route_release {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
using route_ptr = std::unique_ptr<rtnl_route, route_release>;


/// Calls `fn(route, dst)` for every route of `table` whose destination is
/// a host route (/32 or /128).
template <typename Fn>
int for_each_host_route(nl_sock* sock, std::uint32_t table, Fn&& fn) {
    nl_cache* raw = nullptr;
    int err = rtnl_route_alloc_cache(sock, AF_UNSPEC, 0, &raw);
    if (err < 0) return err;
    nl_cache_ptr cache(raw);
    for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
        auto* rt = reinterpret_cast<rtnl_route*>(o);
        if (rtnl_route_get_table(rt) != table) continue;
        nl_addr* dst_addr = rtnl_route_get_dst(rt);
        auto dst = from_nl_addr(dst_addr);
        if (!dst || nl_addr_get_prefixlen(dst_addr) != dst->size() * 8) continue;
        fn(rt, *dst);
    }
    return 0;
}

/// The route an add or replace of `r` asks the kernel for; nullptr and
/// `error` when it cannot be built.
route_ptr build_write(const route& r, const route_owner& owner, std::string& error) {
    int ifindex = r.ifindex;
    if (ifindex <= 0) {
        ifindex = int(if_nametoindex(r.dev.c_str()));
        if (ifindex == 0) {
            error = "no such interface " + r.dev;
            return nullptr;
        }
    }
    route_ptr rt(rtnl_route_alloc());
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    nl_addr_ptr dst = to_nl_addr(r.dst);
    nl_addr_ptr src = r.src.is_unspecified() ? nullptr : to_nl_addr(r.src);
    nl_addr_ptr via = r.via.is_unspecified() ? nullptr : to_nl_addr(r.via);
    if (!rt || !nh || !dst || (!r.src.is_unspecified() && !src) || (!r.via.is_unspecified() && !via)) {
        if (nh) rtnl_route_nh_free(nh);
        error = "out of memory";
        return nullptr;
    }
    rtnl_route_set_family(rt.get(), r.dst.is_v4() ? AF_INET : AF_INET6);
    rtnl_route_set_table(rt.get(), owner.table);
    rtnl_route_set_type(rt.get(), RTN_UNICAST);
    rtnl_route_set_scope(rt.get(), RT_SCOPE_UNIVERSE);
    rtnl_route_set_protocol(rt.get(), std::uint8_t(owner.protocol));
    rtnl_route_set_dst(rt.get(), dst.get());  // takes its own reference
    if (src) rtnl_route_set_pref_src(rt.get(), src.get());
    // The ifindex is always set on the next hop: an IPv6 next hop that is
    // link-local (fe80::/10) means nothing without it (EINVAL otherwise).
    rtnl_route_nh_set_ifindex(nh, ifindex);
    if (via) rtnl_route_nh_set_gateway(nh, via.get());
    rtnl_route_add_nexthop(rt.get(), nh);  // the route owns nh now
    return rt;
}

/// The route a delete of `r` asks the kernel for; nullptr and `error` when
/// it cannot be built.
route_ptr build_remove(const route& r, const route_owner& owner, std::string& error) {
    route_ptr rt(rtnl_route_alloc());
    nl_addr_ptr dst = to_nl_addr(r.dst);
    if (!rt || !dst) {
        error = "out of memory";
        return nullptr;
    }
    rtnl_route_set_family(rt.get(), r.dst.is_v4() ? AF_INET : AF_INET6);
    rtnl_route_set_table(rt.get(), owner.table);
    rtnl_route_set_protocol(rt.get(), std::uint8_t(owner.protocol));
    rtnl_route_set_dst(rt.get(), dst.get());
    // Match by destination + table + protocol only: no next hop, any
    // scope (RT_SCOPE_NOWHERE), any type (RTN_UNSPEC), any priority
    // (0). Left unset, libnl would fill in type unicast and a guessed
    // scope, and a stale route of ours with another scope could never
    // be removed.
    rtnl_route_set_scope(rt.get(), RT_SCOPE_NOWHERE);
    rtnl_route_set_type(rt.get(), RTN_UNSPEC);
    return rt;
}

}  // namespace

std::unique_ptr<netlink_route_table> netlink_route_table::open(std::string& error, const route_owner& owner) {
    std::unique_ptr<netlink_route_table> t(new netlink_route_table(owner));
    if (!t->sock_.ok()) {
        error = t->sock_.error();
        return nullptr;
    }
    // A batch chunk's ACKs all wait on this socket at once, each one
    // accounted as a whole socket buffer (hundreds of bytes, not its ~40):
    // the default ~208 KiB may not hold batch_chunk of them, 4 MiB does
    // with room to spare. FORCE needs CAP_NET_ADMIN,
    // which writing routes needs anyway; plain SO_RCVBUF is capped by
    // net.core.rmem_max. Should both fall short, a lost ACK is reported as
    // such, and the next reconcile sees what really happened.
    const int fd = nl_socket_get_fd(t->sock_.get());
    int bytes = 4 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    return t;
}

std::optional<route_set> netlink_route_table::list(std::string& error) {
    route_set out;
    std::set<ip_address> ours;
    sock_.clear_kernel_error();
    int err = for_each_host_route(sock_.get(), owner_.table, [&](rtnl_route* rt, const ip_address& dst) {
        if (rtnl_route_get_protocol(rt) != owner_.protocol) return;
        // Any type is listed (a tagged blackhole would be ours to replace or
        // remove); faild itself only installs unicast routes.
        route r;
        r.dst = dst;
        if (auto src = from_nl_addr(rtnl_route_get_pref_src(rt))) r.src = *src;
        // faild installs single-next-hop routes; of anything else we report
        // the first next hop, which is enough to see it differs and replace it.
        if (rtnl_route_get_nnexthops(rt) > 0) {
            rtnl_nexthop* nh = rtnl_route_nexthop_n(rt, 0);
            if (auto via = from_nl_addr(rtnl_route_nh_get_gateway(nh))) r.via = *via;
            r.ifindex = rtnl_route_nh_get_ifindex(nh);
            char name[IF_NAMESIZE] = {};
            if (r.ifindex > 0 && if_indextoname(unsigned(r.ifindex), name)) r.dev = name;
        }
        out[r.dst] = r;
        if (rtnl_route_get_tos(rt) == 0 && rtnl_route_get_priority(rt) == default_priority(dst.fam()))
            ours.insert(dst);
    });
    if (err < 0) {
        error = "cannot read the routing table: " + sock_.describe(err);
        return std::nullopt;
    }
    ours_ = std::move(ours);
    return out;
}

std::map<ip_address, int> netlink_route_table::foreign_holders(std::string& error) {
    std::map<ip_address, int> holders;
    sock_.clear_kernel_error();
    int err = for_each_host_route(sock_.get(), owner_.table, [&](rtnl_route* rt, const ip_address& d) {
        if (rtnl_route_get_protocol(rt) == owner_.protocol) return;
        if (rtnl_route_get_tos(rt) != 0 || rtnl_route_get_priority(rt) != default_priority(d.fam())) return;
        holders[d] = rtnl_route_get_protocol(rt);
    });
    if (err < 0) {
        error = "cannot read the routing table: " + sock_.describe(err);
        holders.clear();
    }
    return holders;
}

struct netlink_route_table::pending {
    std::size_t index = 0;  ///< into the batch's changes
    std::string request;    ///< the netlink message, header included
    std::uint32_t seq = 0;
    bool answered = false;
    int kernel_errno = 0;  ///< the kernel's answer: 0 done, else its errno
    std::string text;      ///< its extended-ack text, if any
    std::string failure;   ///< no answer: why
};

void netlink_route_table::send_chunk(std::vector<pending>& msgs, std::size_t first, std::size_t last) {
    std::string wire;
    std::map<std::uint32_t, pending*> by_seq;
    for (std::size_t i = first; i < last; ++i) {
        wire += msgs[i].request;
        by_seq[msgs[i].seq] = &msgs[i];
    }
    auto give_up = [&](const std::string& why) {
        for (auto& [seq, p] : by_seq)
            if (!p->answered) p->failure = why;
    };
    const int fd = nl_socket_get_fd(sock_.get());
    // Several nlmsghdrs in one datagram: the kernel handles them in order,
    // and answers each (NLM_F_ACK) even when an earlier one failed.
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    do sent = sendto(fd, wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    while (sent < 0 && errno == EINTR);
    if (sent < 0) return give_up(std::string("cannot send to the kernel: ") + std::strerror(errno));
    if (auto why = collect_acks(by_seq); !why.empty()) give_up(why);
}

std::string netlink_route_table::collect_acks(std::map<std::uint32_t, pending*>& by_seq) {
    // The kernel has handled the whole chunk inside our sendmsg(): its ACKs
    // are queued already. The deadline is only a guard against a kernel
    // that one day answers later.
    constexpr unsigned slots = 64;
    constexpr std::size_t slot_size = 4096;  // an ACK is < 200 bytes; the header alone would do
    if (!ack_buffer_) ack_buffer_.reset(new char[slots * slot_size]);  // once, not zeroed
    char* const buf = ack_buffer_.get();
    iovec iov[slots];
    mmsghdr mm[slots];
    const int fd = nl_socket_get_fd(sock_.get());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::size_t waiting = by_seq.size();
    bool overrun = false;
    while (waiting > 0) {
        for (unsigned k = 0; k < slots; ++k) {
            iov[k] = {buf + k * slot_size, slot_size};
            mm[k] = {};
            mm[k].msg_hdr.msg_iov = &iov[k];
            mm[k].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(fd, mm, slots, MSG_DONTWAIT, nullptr);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {  // ACKs were dropped: the rest will not come
                overrun = true;
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return std::string("no answer from the kernel: ") + std::strerror(errno);
            if (overrun) return "no answer from the kernel (receive buffer overrun)";
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return "no answer from the kernel";
            pollfd p{fd, POLLIN, 0};
            poll(&p, 1, int(left.count()));
            continue;
        }
        for (int k = 0; k < n; ++k)
            waiting -= take_acks(buf + std::size_t(k) * slot_size, std::min<std::size_t>(mm[k].msg_len, slot_size), by_seq);
    }
    return "";
}

std::size_t netlink_route_table::take_acks(const char* data, std::size_t len, std::map<std::uint32_t, pending*>& by_seq) {
    std::size_t taken = 0;
    for (auto* h = reinterpret_cast<const nlmsghdr*>(data); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_HDRLEN + sizeof(nlmsgerr)) continue;
        auto it = by_seq.find(h->nlmsg_seq);
        if (it == by_seq.end() || it->second->answered) continue;  // not ours: stale
        nlmsgerr e;
        std::memcpy(&e, reinterpret_cast<const char*>(h) + NLMSG_HDRLEN, sizeof e);
        it->second->answered = true;
        it->second->kernel_errno = -e.error;
        if (e.error != 0) it->second->text = netlink_socket::ack_text(h);
        ++taken;
    }
    return taken;
}

netlink_route_table::foreign_check netlink_route_table::check_foreign(const std::vector<route_change>& changes) {
    // replace() must not swap a foreign route for ours: one dump answers for
    // every replace in the batch whose destination was not ours already.
    // (Checked before the batch, not right before each request: the window
    // described at the top of the file is as wide as the batch.)
    foreign_check foreign;
    for (const auto& c : changes)
        if (c.op == route_change::kind::replace && !ours_.count(c.r.dst) && c.r.problem().empty()) {
            foreign.holders = foreign_holders(foreign.error);
            break;
        }
    return foreign;
}

nl_msg* netlink_route_table::build_request(const route_change& c, const foreign_check& foreign, std::string& error) const {
    const route& r = c.r;
    route_ptr rt;
    nl_msg* msg = nullptr;
    int err = 0;
    if (c.op == route_change::kind::remove) {
        if (r.dst.is_unspecified()) {
            error = "no destination";
            return nullptr;
        }
        if (!(rt = build_remove(r, owner_, error))) return nullptr;
        err = rtnl_route_build_del_request(rt.get(), 0, &msg);
    } else {
        if (auto bad = r.problem(); !bad.empty()) {
            error = bad;
            return nullptr;
        }
        if (c.op == route_change::kind::replace && !ours_.count(r.dst)) {
            if (!foreign.error.empty()) error = foreign.error;
            else if (foreign.holders && foreign.holders->count(r.dst)) error = "route exists (not faild's)";
            if (!error.empty()) return nullptr;
        }
        if (!(rt = build_write(r, owner_, error))) return nullptr;
        int flags = NLM_F_CREATE | (c.op == route_change::kind::add ? NLM_F_EXCL : NLM_F_REPLACE);
        err = rtnl_route_build_add_request(rt.get(), flags, &msg);
    }
    if (err < 0) {
        error = nl_geterror(err);
        return nullptr;
    }
    return msg;
}

netlink_route_table::pending netlink_route_table::to_pending(std::size_t index, nl_msg* msg) {
    nlmsghdr* h = nlmsg_hdr(msg);
    h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    h->nlmsg_pid = 0;
    h->nlmsg_seq = ++seq_;
    pending p;
    p.index = index;
    p.seq = h->nlmsg_seq;
    p.request.assign(reinterpret_cast<const char*>(h), NLMSG_ALIGN(h->nlmsg_len));
    nlmsg_free(msg);
    return p;
}

void netlink_route_table::send_all(std::vector<pending>& msgs) {
    for (std::size_t first = 0, last; first < msgs.size(); first = last) {
        std::size_t bytes = msgs[first].request.size();
        for (last = first + 1; last < msgs.size() && last - first < batch_chunk &&
                               bytes + msgs[last].request.size() <= batch_bytes;
             ++last)
            bytes += msgs[last].request.size();
        send_chunk(msgs, first, last);
    }
}

void netlink_route_table::read_answers(const std::vector<route_change>& changes, const std::vector<pending>& msgs,
                                       std::vector<op_result>& out) {
    bool any_exists = false;
    for (const auto& p : msgs) {
        const route_change& c = changes[p.index];
        if (!p.answered) {
            out[p.index] = {p.failure};
            continue;
        }
        const int nl_err = p.kernel_errno == 0 ? 0 : nl_syserr2nlerr(p.kernel_errno);
        if (c.op == route_change::kind::remove) {
            if (nl_err == 0 || nl_err == NLE_OBJ_NOTFOUND) ours_.erase(c.r.dst);
            if (nl_err == NLE_OBJ_NOTFOUND)
                out[p.index] = {"no such route"};
            else if (nl_err != 0)
                out[p.index] = {netlink_socket::describe_kernel(p.kernel_errno, p.text)};
            continue;
        }
        if (nl_err == 0) {
            ours_.insert(c.r.dst);
        } else if (nl_err == NLE_EXIST) {
            out[p.index] = {"route exists"};  // whose: see below
            any_exists = true;
        } else {
            out[p.index] = {netlink_socket::describe_kernel(p.kernel_errno, p.text)};
        }
    }
    // An add refused because the destination is taken: say when the route
    // in the way is not ours (one dump for the whole batch).
    if (!any_exists) return;
    std::string ignored;
    auto holders = foreign_holders(ignored);
    for (const auto& p : msgs)
        if (p.answered && p.kernel_errno == EEXIST && changes[p.index].op != route_change::kind::remove &&
            holders.count(changes[p.index].r.dst))
            out[p.index] = {"route exists (not faild's)"};
}

std::vector<op_result> netlink_route_table::apply(const std::vector<route_change>& changes) {
    std::vector<op_result> out(changes.size());
    const foreign_check foreign = check_foreign(changes);
    std::vector<pending> msgs;
    msgs.reserve(changes.size());
    for (std::size_t i = 0; i < changes.size(); ++i) {
        std::string error;
        if (nl_msg* msg = build_request(changes[i], foreign, error)) msgs.push_back(to_pending(i, msg));
        else out[i] = {error};
    }
    send_all(msgs);
    read_answers(changes, msgs, out);
    return out;
}

op_result netlink_route_table::add(const route& r) { return apply({{route_change::kind::add, r}}).at(0); }

op_result netlink_route_table::replace(const route& r) {
    return apply({{route_change::kind::replace, r}}).at(0);
}

op_result netlink_route_table::remove(const route& r) { return apply({{route_change::kind::remove, r}}).at(0); }

std::unique_ptr<route_table> make_kernel_route_table(std::string& error, const route_owner& owner) {
    return netlink_route_table::open(error, owner);
}

}  // namespace faild::platform
