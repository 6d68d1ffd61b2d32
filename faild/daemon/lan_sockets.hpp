// DOC: lan_sockets — the probe sockets: one per monitored LAN and family,
// bound to its interface (DESIGN.md: SO_BINDTODEVICE on both ends), each
// with its descriptor in the event loop.
//
//   readable ─> drain: up to 8 batches into engine.receive ─> handle(out)
//   a deadline due ─> drain_ready: every socket with something queued,
//                     before the engine judges (the daemon's timer; only
//                     when the tick judges evidence: engine::judging_due)
//
// Each datagram reaches the engine with the time the kernel queued it
// (SO_TIMESTAMPNS, through arrival_clock), not the time faild read it: a
// datagram that came while faild was held up (load, a page fault) counts
// as in time if it was. Never earlier than a tick the engine was already
// given (note_tick), so the engine's time never goes back.
//   handle's sends ─> send(): a LAN-family's failures logged when they
//                     start and when they stop
//
// A family whose socket cannot be opened (IPv6 disabled on the interface,
// no link-local address yet) has none, and is opened when the link watch
// asks again. Our own IPv4 broadcasts, which the kernel loops back, are
// filtered out in the kernel where it can (the filter names our
// incarnation: refilter() when it is renewed). Indexes are the engine's
// LAN indexes; the link watch keeps the two lists the same length.
#pragma once

#include "faild/core/engine.hpp"
#include "faild/daemon/loop.hpp"
#include "platform/platform.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <poll.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace faild {

class lan_sockets {
public:
    /// One slot per LAN of `eng`. `handle` gets what the engine made of
    /// datagrams read when a socket became readable; `stopping` is the
    /// daemon's flag.
    lan_sockets(boost::asio::io_context& io, engine& eng, std::uint16_t port, emitter emit,
                std::function<void(engine_output&)> handle, const bool& stopping);
    ~lan_sockets();

    /// At start: every LAN's sockets. False (with `error`) when a LAN's
    /// IPv4 socket cannot be had; IPv6 may be missing (ipv6_unavailable).
    bool open_all(std::string& error);
    /// Starts waiting on every open socket.
    void watch_all();
    /// Opens (and watches) whichever of LAN `li`'s sockets are missing;
    /// says so (socket_unavailable) when IPv4, or IPv6 with a link-local
    /// address, cannot be had.
    void open_missing(std::size_t li);
    /// Closes LAN `li`'s sockets (its interface is gone, or back anew).
    void close(std::size_t li);
    /// The LAN list grew by one at the end (no sockets yet), lost its last, or
    /// was set to `count` (closing the sockets of those cut off).
    void add_lan();
    void drop_last();
    void resize(std::size_t count);

    bool has(std::size_t li, family f) const { return lans_[li].sockets[slot(f)] != nullptr; }
    std::size_t size() const { return lans_.size(); }

    /// Feeds the engine what is queued on one socket, at most 8 batches (64
    /// datagrams) so one busy LAN cannot starve the timer; what is left
    /// wakes the loop again.
    void drain(std::size_t li, family f, engine_output& out);
    /// drain() on every socket that has datagrams queued (one poll() to
    /// find them, its list kept between calls): before the engine judges
    /// any deadline.
    void drain_ready(engine_output& out);
    /// The engine ticked at `t`: no datagram read later is put before it.
    void note_tick(timestamp t) { clock_.note(t); }
    /// Sends one datagram the engine asked for (nothing when that family
    /// has no socket on that LAN).
    void send(const outgoing& s);
    /// The incarnation was renewed: every socket's own-broadcast filter anew.
    void refilter();

private:
    struct lan_io {
        std::array<std::unique_ptr<platform::probe_socket>, 2> sockets;
        std::array<std::unique_ptr<boost::asio::posix::stream_descriptor>, 2> descriptors;
        std::array<bool, 2> send_failing{};
    };
    static std::size_t slot(family f) { return f == family::v4 ? 0 : 1; }

    bool open(std::size_t li, family f, std::string& error);
    void filter_own(platform::probe_socket& sock, const std::string& lan_name, family f);
    void wait_readable(std::size_t li, family f);

    boost::asio::io_context& io_;
    engine& engine_;
    std::uint16_t port_;
    emitter emit_;
    std::function<void(engine_output&)> handle_;
    const bool& stopping_;
    std::vector<lan_io> lans_;
    std::vector<pollfd> ready_fds_;  ///< drain_ready's poll() list, refilled in place
    std::vector<std::pair<std::size_t, family>> ready_which_;  ///< the LAN-family of each
    arrival_clock clock_;  ///< kernel arrival stamps on the core's clock
};

}  // namespace faild
