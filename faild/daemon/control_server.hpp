// DOC: control_server — faild's end of faildctl: a Unix stream socket
// (mode 0600) that answers one request line per connection.
//
//   status   every path: state, counts, RTT, loss, route (records, | apart)
//   routes   the routes faild installed
//   version  faild's version and node id
//   events   from then on, every event (not debug) as a JSON line
//
// Limits, so no client can hold faild up: 32 connections at once (requests
// being served and event subscribers together; at most 16 subscribers),
// one more is told so and closed; a request line must come, and its answer
// go, within 5 s; a subscriber that does not keep up is dropped, never
// waited for. When accept() fails (no descriptor left) it pauses, 0.1 s
// doubling to 2 s, instead of spinning on the readable socket.
#pragma once

#include "faild/core/engine.hpp"
#include "faild/core/options.hpp"
#include "faild/core/reconciler.hpp"
#include "faild/daemon/limited_log.hpp"
#include "faild/daemon/loop.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <vector>

namespace faild {

class control_server {
public:
    /// Answers from `eng` and `rec`; `stopping` is the daemon's flag.
    control_server(boost::asio::io_context& io, const options& opts, const engine& eng, const reconciler& rec,
                   limited_log& limited, emitter emit, const bool& stopping);

    /// Listens on the control socket (its directory made if missing).
    /// Refuses (false, `error`) when another faild answers there; other
    /// trouble is logged and faild runs without it.
    bool open(std::string& error);
    /// Starts accepting connections, if it listens.
    void start();
    /// The socket's path, or "none" when it does not listen.
    std::string shown_path() const { return acceptor_ ? path_ : "none"; }
    /// Streams `e` to the `events` subscribers (debug events excepted).
    void publish(const event& e);
    /// At exit: stops listening and removes the socket file.
    void close();

private:
    using socket = boost::asio::local::stream_protocol::socket;
    static constexpr std::size_t max_clients = 32;
    static constexpr std::size_t max_subscribers = 16;
    static constexpr duration deadline = ms(5'000);

    void accept();
    void accept_failed(boost::system::error_code ec);
    void refuse(socket sock);
    void serve(std::shared_ptr<socket> sock);
    /// The reply to a request line other than `events`.
    std::string answer(const std::string& cmd) const;

    boost::asio::io_context& io_;
    const options& opts_;
    const engine& engine_;
    const reconciler& reconciler_;
    limited_log& limited_;
    emitter emit_;
    const bool& stopping_;
    std::string path_;
    std::unique_ptr<boost::asio::local::stream_protocol::acceptor> acceptor_;
    std::vector<std::shared_ptr<socket>> subscribers_;
    std::size_t clients_ = 0;   ///< control connections being served (not subscribers)
    duration accept_pause_{0};  ///< after a failed accept(), before the next
    boost::asio::steady_timer accept_timer_;
};

}  // namespace faild
