// DOC: netlink_socket — one connected libnl NETLINK_ROUTE socket, owned.
//
// Every netlink user in the Linux backend (route table, link source) keeps
// its own socket, freed with its owner. The socket records the kernel's own
// answer to a failed request — the errno and, where the kernel sends one, the
// extended-ack text ("Nexthop has invalid gateway") — because libnl folds many
// errnos into NLE_FAILURE "Unspecific failure", which tells an operator
// nothing.
#pragma once

#include <string>

struct nl_sock;
struct nlmsgerr;
struct nlmsghdr;
struct sockaddr_nl;

namespace faild::platform {

class netlink_socket {
public:
    /// Allocates and connects the socket; check ok() and error().
    netlink_socket();
    ~netlink_socket();
    netlink_socket(const netlink_socket&) = delete;
    netlink_socket& operator=(const netlink_socket&) = delete;

    bool ok() const { return sock_ != nullptr; }
    /// Why the socket could not be opened.
    const std::string& error() const { return open_error_; }
    nl_sock* get() const { return sock_; }

    /// Forget the kernel's last answer: call before each request.
    void clear_kernel_error();
    /// Human-readable text for a negative libnl code returned by the last
    /// request: the kernel's errno text and extended-ack message when the
    /// kernel answered, libnl's own text otherwise.
    std::string describe(int nl_error) const;

    /// The kernel's extended-ack text (NLMSGERR_ATTR_MSG) in the NLMSG_ERROR
    /// message `hdr` (its whole length readable), "" when it has none.
    static std::string ack_text(const ::nlmsghdr* hdr);
    /// How describe() words a kernel error: "TEXT (strerror)" or "strerror".
    static std::string describe_kernel(int errno_value, const std::string& text);

private:
    static int on_kernel_error(::sockaddr_nl*, ::nlmsgerr* err, void* self);

    nl_sock* sock_ = nullptr;
    std::string open_error_;
    int kernel_errno_ = 0;     // positive errno of the last NLMSG_ERROR, 0 if none
    std::string kernel_text_;  // NLMSGERR_ATTR_MSG of the same message
};

}  // namespace faild::platform
