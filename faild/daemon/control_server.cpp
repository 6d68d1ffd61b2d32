// DOC: control_server — see control_server.hpp.
#include "faild/daemon/control_server.hpp"

#include "faild/core/status.hpp"
#include "platform/platform.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <istream>

namespace faild {

namespace asio = boost::asio;

namespace {

/// The wall clock, as events' JSON carries it: 2026-11-22T06:30:00.123456Z.
std::string wall_time() {
    auto t = std::chrono::system_clock::now();
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    std::time_t secs = std::time_t(us / 1'000'000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];  // room for any year the compiler can imagine
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us % 1'000'000));
    return buf;
}

}  // namespace

control_server::control_server(asio::io_context& io, const options& opts, const engine& eng, const reconciler& rec,
                               limited_log& limited, emitter emit, const bool& stopping)
    : io_(io),
      opts_(opts),
      engine_(eng),
      reconciler_(rec),
      limited_(limited),
      emit_(std::move(emit)),
      stopping_(stopping),
      accept_timer_(io) {}

bool control_server::open(std::string& error) {
    path_ = opts_.control_socket.empty() ? platform::default_control_socket() : opts_.control_socket;
    const std::string& path = path_;
    namespace fs = std::filesystem;
    std::error_code fec;
    fs::create_directories(fs::path(path).parent_path(), fec);
    if (fs::exists(path, fec)) {
        socket probe(io_);
        boost::system::error_code ec;
        probe.connect(asio::local::stream_protocol::endpoint(path), ec);
        if (!ec) {
            error = "another faild is running (its control socket " + path + " answers)";
            return false;
        }
        fs::remove(path, fec);  // stale: a faild that did not exit cleanly
    }
    const mode_t old = ::umask(077);  // the socket file: owner only
    try {
        acceptor_ = std::make_unique<asio::local::stream_protocol::acceptor>(
            io_, asio::local::stream_protocol::endpoint(path));
        ::umask(old);
    } catch (const std::exception& e) {
        ::umask(old);  // the operator's, for every file made later (the log after logrotate)
        emit_(event("control", severity::error, "control_unavailable").kv("path", path).kv("error", e.what()));
        acceptor_.reset();
    }
    return true;
}

void control_server::start() {
    if (acceptor_) accept();
}

void control_server::publish(const event& e) {
    if (subscribers_.empty() || e.level == severity::debug) return;
    std::string line = e.to_json(wall_time()) + "\n";
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
        boost::system::error_code ec;
        // Non-blocking: a reader that does not keep up is dropped, never waited for.
        asio::write(**it, asio::buffer(line), ec);
        if (ec) it = subscribers_.erase(it);
        else ++it;
    }
}

void control_server::close() {
    if (!acceptor_) return;
    boost::system::error_code ec;
    acceptor_->close(ec);
    std::error_code fec;
    std::filesystem::remove(path_, fec);
}

void control_server::accept() {
    acceptor_->async_accept([this](boost::system::error_code ec, socket sock) {
        if (stopping_ || ec == asio::error::operation_aborted) return;
        if (ec) return accept_failed(ec);
        accept_pause_ = duration(0);
        if (clients_ + subscribers_.size() >= max_clients) refuse(std::move(sock));
        else serve(std::make_shared<socket>(std::move(sock)));
        accept();
    });
}

/// accept() failed (no descriptor left: EMFILE, ENFILE; no memory): the
/// connection stays queued and the socket readable, so accepting again
/// at once would spin. Pause, 0.1 s doubling to 2 s, then try again.
void control_server::accept_failed(boost::system::error_code ec) {
    accept_pause_ = std::clamp<duration>(accept_pause_ * 2, ms(100), ms(2'000));
    limited_.write("control/accept_failed", event("control", severity::warning, "accept_failed")
                                                 .kv("error", ec.message())
                                                 .kv("retry_in", format_seconds(accept_pause_)));
    accept_timer_.expires_after(accept_pause_);
    accept_timer_.async_wait([this](boost::system::error_code wait_ec) {
        if (wait_ec || stopping_) return;
        accept();
    });
}

/// One connection too many: told so without waiting, and closed.
void control_server::refuse(socket sock) {
    boost::system::error_code ec;
    static constexpr char text[] = "error: too many clients\n";
    sock.non_blocking(true, ec);
    sock.write_some(asio::buffer(text, sizeof text - 1), ec);
    sock.close(ec);
    limited_.write("control/too_many_clients",
                   event("control", severity::warning, "control_refused")
                       .kv("reason", "too_many_clients")
                       .kv("clients", static_cast<long long>(clients_ + subscribers_.size())));
}

/// One request line: status | routes | events | version.
void control_server::serve(std::shared_ptr<socket> sock) {
    ++clients_;
    auto buf = std::make_shared<asio::streambuf>(256);
    // Ends the connection's count once: answered, failed, or past its
    // deadline (closing cancels what is pending), or made a subscriber.
    auto timer = std::make_shared<asio::steady_timer>(io_, deadline);
    auto done = std::make_shared<bool>(false);
    auto finish = [this, sock, timer, done](bool close) {
        if (*done) return;
        *done = true;
        --clients_;
        timer->cancel();
        boost::system::error_code ec;
        if (close) sock->close(ec);
    };
    timer->async_wait([finish](boost::system::error_code ec) {
        if (!ec) finish(true);
    });
    asio::async_read_until(*sock, *buf, '\n', [this, sock, buf, finish, done](boost::system::error_code ec, std::size_t) {
        if (*done) return;
        if (ec || stopping_) return finish(true);
        std::istream in(buf.get());
        std::string cmd;
        std::getline(in, cmd);
        if (!cmd.empty() && cmd.back() == '\r') cmd.pop_back();
        std::string reply;
        if (cmd != "events") {
            reply = answer(cmd);
        } else if (subscribers_.size() >= max_subscribers) {
            reply = "error: too many event subscribers\n";
        } else {
            finish(false);  // a subscriber now: counted as one, no deadline
            sock->non_blocking(true);
            subscribers_.push_back(sock);
            return;
        }
        auto data = std::make_shared<std::string>(std::move(reply));
        asio::async_write(*sock, asio::buffer(*data),
                          [data, finish](boost::system::error_code, std::size_t) { finish(true); });
    });
}

std::string control_server::answer(const std::string& cmd) const {
    if (cmd == "status") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& r : build_status(engine_.lans(), engine_.peers(), reconciler_.installed(), now()))
            rows.push_back(to_fields(r));
        return format_records(status_fields(), rows);
    }
    if (cmd == "routes") return format_records({"dst", "via", "dev", "src"}, route_records(reconciler_.installed()));
    if (cmd == "version") return std::string("faild ") + FAILD_VERSION + " node_id=" + engine_.config().node_id + "\n";
    return "error: unknown command '" + cmd.substr(0, 40) + "'\n";
}

}  // namespace faild
