// DOC: lan_sockets — see lan_sockets.hpp.
#include "faild/daemon/lan_sockets.hpp"

#include <poll.h>

#include <utility>

namespace faild {

namespace asio = boost::asio;

lan_sockets::lan_sockets(asio::io_context& io, engine& eng, std::uint16_t port, emitter emit,
                         std::function<void(engine_output&)> handle, const bool& stopping)
    : io_(io),
      engine_(eng),
      port_(port),
      emit_(std::move(emit)),
      handle_(std::move(handle)),
      stopping_(stopping),
      lans_(eng.lans().size()) {}

lan_sockets::~lan_sockets() {
    // The platform objects own their descriptors: Asio must not close them.
    for (auto& l : lans_)
        for (auto& d : l.descriptors)
            if (d) d->release();
}

bool lan_sockets::open_all(std::string& error) {
    for (std::size_t li = 0; li < lans_.size(); ++li) {
        if (!open(li, family::v4, error)) return false;
        std::string v6_error;
        if (!open(li, family::v6, v6_error))
            emit_(event("lan", severity::info, "ipv6_unavailable")
                      .kv("lan", engine_.lans()[li].name)
                      .kv("error", v6_error));
    }
    return true;
}

void lan_sockets::watch_all() {
    for (std::size_t li = 0; li < lans_.size(); ++li)
        for (family f : {family::v4, family::v6})
            if (lans_[li].descriptors[slot(f)]) wait_readable(li, f);
}

bool lan_sockets::open(std::size_t li, family f, std::string& error) {
    const lan& l = engine_.lans()[li];
    auto group = wire::v6_group();
    auto sock = platform::open_probe_socket(l.name, f, port_, error, f == family::v6 ? &group : nullptr);
    if (!sock) return false;
    filter_own(*sock, l.name, f);
    auto& io = lans_[li];
    io.descriptors[slot(f)] = std::make_unique<asio::posix::stream_descriptor>(io_, sock->fd());
    io.sockets[slot(f)] = std::move(sock);
    return true;
}

/// Our own IPv4 broadcasts come back to us: the kernel drops them (else
/// each is read and thrown away every round). If it cannot, the engine
/// still does. The filter names our incarnation: set again when it is
/// renewed.
void lan_sockets::filter_own(platform::probe_socket& sock, const std::string& lan_name, family f) {
    std::vector<platform::payload_field> own;
    for (auto& [offset, bytes] : wire::identity_fields(engine_.config().node_id, engine_.incarnation()))
        own.push_back({offset, std::move(bytes)});
    if (!sock.drop_matching(own))
        emit_(event("lan", severity::debug, "own_filter_unavailable").kv("lan", lan_name).kv("family", to_string(f)));
}

void lan_sockets::open_missing(std::size_t li) {
    for (family f : {family::v4, family::v6}) {
        if (lans_[li].sockets[slot(f)]) continue;
        std::string error;
        if (open(li, f, error)) {
            wait_readable(li, f);
        } else if (f == family::v4 || engine_.lans()[li].link_local) {
            emit_(event("lan", severity::warning, "socket_unavailable")
                      .kv("lan", engine_.lans()[li].name)
                      .kv("family", to_string(f))
                      .kv("error", error));
        }
    }
}

void lan_sockets::close(std::size_t li) {
    auto& io = lans_[li];
    for (std::size_t i = 0; i < 2; ++i) {
        if (io.descriptors[i]) {
            io.descriptors[i]->cancel();
            io.descriptors[i]->release();  // the socket object closes its fd
            io.descriptors[i].reset();
        }
        io.sockets[i].reset();
        io.send_failing[i] = false;
    }
}

void lan_sockets::add_lan() { lans_.emplace_back(); }

void lan_sockets::drop_last() {
    close(lans_.size() - 1);
    lans_.pop_back();
}

void lan_sockets::resize(std::size_t count) {
    for (std::size_t li = count; li < lans_.size(); ++li) close(li);
    lans_.resize(count);
}

void lan_sockets::wait_readable(std::size_t li, family f) {
    lans_[li].descriptors[slot(f)]->async_wait(
        asio::posix::stream_descriptor::wait_read, [this, li, f](boost::system::error_code ec) {
            // Aborted: its socket was closed (the LAN may be gone from the list).
            if (stopping_ || ec == asio::error::operation_aborted) return;
            if (ec) return wait_failed(emit_, engine_.lans()[li].name.c_str(), ec);
            engine_output out;
            drain(li, f, out);
            handle_(out);
            wait_readable(li, f);
        });
}

void lan_sockets::drain(std::size_t li, family f, engine_output& out) {
    auto& sock = lans_[li].sockets[slot(f)];
    if (!sock) return;
    // Both clocks once, back to back: a stamp's age on the wall clock is
    // its age on the steady one.
    const wall_stamp wall = wall_now();
    const timestamp t = now();
    for (int n = 0; n < 8; ++n) {
        bool more = sock->receive_batch(
            [&](const platform::datagram& d, const std::uint8_t* data) {
                engine_.receive(li, d.from, d.from_port, data, d.size, clock_.arrival(d.arrived, wall, t), out, d.ttl);
            },
            [&](const platform::datagram& d) { engine_.note_oversize(li, d.from, clock_.arrival(d.arrived, wall, t), out); });
        if (!more) break;
    }
}

void lan_sockets::drain_ready(engine_output& out) {
    // Refilled each time (sockets come and go with the links), without an
    // allocation once the lists have their size.
    ready_fds_.clear();
    ready_which_.clear();
    for (std::size_t li = 0; li < lans_.size(); ++li)
        for (family f : {family::v4, family::v6})
            if (auto& sock = lans_[li].sockets[slot(f)]) {
                ready_fds_.push_back({sock->fd(), POLLIN, 0});
                ready_which_.emplace_back(li, f);
            }
    if (ready_fds_.empty() || ::poll(ready_fds_.data(), ready_fds_.size(), 0) <= 0) return;
    for (std::size_t i = 0; i < ready_fds_.size(); ++i)
        if (ready_fds_[i].revents & POLLIN) drain(ready_which_[i].first, ready_which_[i].second, out);
}

void lan_sockets::send(const outgoing& s) {
    auto& io = lans_[s.lan];
    auto i = slot(s.dst.fam());
    if (!io.sockets[i]) return;  // that family is unavailable on this LAN
    std::string error;
    bool ok = io.sockets[i]->send_to(s.dst, s.port, s.bytes.data(), s.bytes.size(), error);
    // Log a LAN-family's send failures once when they start and once when they stop.
    if (ok != !io.send_failing[i]) {
        io.send_failing[i] = !ok;
        event e("daemon", ok ? severity::info : severity::warning, ok ? "send_recovered" : "send_failed");
        e.kv("lan", engine_.lans()[s.lan].name).kv("dst", s.dst.to_string());
        if (!ok) e.kv("error", error);
        emit_(e);
    }
}

void lan_sockets::refilter() {
    for (std::size_t li = 0; li < lans_.size(); ++li)
        for (family f : {family::v4, family::v6})
            if (auto& sock = lans_[li].sockets[slot(f)]) filter_own(*sock, engine_.lans()[li].name, f);
}

}  // namespace faild
