#include "faild/daemon.hpp"

#include "faild/engine.hpp"
#include "faild/log.hpp"
#include "faild/reconciler.hpp"
#include "platform/platform.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

namespace faild {

namespace {

namespace asio = boost::asio;

timestamp now() {
    return std::chrono::duration_cast<timestamp>(std::chrono::steady_clock::now().time_since_epoch());
}

/// The LANs to monitor, in preference order, or an error text.
std::vector<platform::interface_info> select_interfaces(const options& opts,
                                                         const std::vector<platform::interface_info>& all,
                                                         std::string& error) {
    std::vector<platform::interface_info> out;
    if (!opts.interfaces.empty()) {
        for (const auto& name : opts.interfaces) {
            auto it = std::find_if(all.begin(), all.end(), [&](const auto& i) { return i.name == name; });
            if (it == all.end()) {
                error = "interface '" + name + "' does not exist";
                return {};
            }
            if (it->loopback) {
                error = "interface '" + name + "' is a loopback interface";
                return {};
            }
            out.push_back(*it);
        }
        return out;
    }
    for (const auto& i : all) {
        if (!i.up || i.loopback) continue;
        bool has_v4 = std::any_of(i.addrs.begin(), i.addrs.end(), [](const auto& a) { return a.addr.addr.is_v4(); });
        if (has_v4) out.push_back(i);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ifindex < b.ifindex; });
    if (out.empty()) error = "no interface to monitor: none is up, not loopback, with an IPv4 address";
    return out;
}

lan to_lan(const platform::interface_info& i) {
    lan l{i.name, i.ifindex, {}};
    for (const auto& a : i.addrs)
        if (a.addr.addr.is_v4() && !a.tentative && !a.dadfailed) l.addrs.push_back(a.addr);
    return l;
}

/// Default node id: the hostname plus a hash of /etc/machine-id and the
/// monitored interfaces' MAC addresses, so two network namespaces of one
/// machine (same hostname, same machine-id) still get distinct ids.
std::string default_node_id(const std::vector<platform::interface_info>& lans) {
    std::string seed;
    std::ifstream mid("/etc/machine-id");
    std::getline(mid, seed);
    std::vector<std::string> macs;
    for (const auto& l : lans) macs.push_back(l.mac);
    std::sort(macs.begin(), macs.end());
    for (const auto& m : macs) seed += "|" + m;
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : seed) h = (h ^ c) * 1099511628211ull;

    char host[256] = {};
    gethostname(host, sizeof host - 1);
    std::string name;
    for (char c : std::string(host))
        if (name.size() < 24) name += wire::valid_node_id(std::string(1, c)) ? c : '-';
    if (name.empty()) name = "faild";
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "-%06x", unsigned(h & 0xffffff));
    return name + suffix;
}

class daemon {
public:
    daemon(const options& opts, std::vector<platform::interface_info> ifs, std::vector<lan> lans,
           std::vector<std::unique_ptr<platform::probe_socket>> sockets, std::unique_ptr<platform::route_table> table,
           engine_config cfg)
        : opts_(opts),
          ifs_(std::move(ifs)),
          sockets_(std::move(sockets)),
          table_(std::move(table)),
          reconciler_(*table_),
          engine_(std::move(cfg), std::move(lans), now()),
          timer_(io_),
          signals_(io_, SIGTERM, SIGINT, SIGHUP),
          send_failing_(sockets_.size(), false) {
        for (auto& s : sockets_) descriptors_.emplace_back(io_, s->fd());
    }

    ~daemon() {
        // The probe sockets own their descriptors: Asio must not close them.
        for (auto& d : descriptors_) d.release();
    }

    int run() {
        log_start();
        event_list events;
        reconciler_.reconcile({}, "stale", events);  // leftovers of an earlier run
        logging::write(events);
        for (std::size_t i = 0; i < descriptors_.size(); ++i) wait_readable(i);
        wait_signal();
        schedule();
        io_.run();
        return exit_code_;
    }

private:
    void log_start() {
        const auto& c = engine_.config();
        event e("daemon", severity::info, "start");
        e.kv("version", FAILD_VERSION).kv("node_id", c.node_id).kv("incarnation", c.incarnation);
        e.kv("requestor", c.requestor ? "yes" : "no").kv("interval", format_seconds(c.interval));
        e.kv("fail", c.fail_after).kv("succeed", c.up_after).kv("port", c.port);
        std::string lans;
        for (const auto& l : engine_.lans()) lans += (lans.empty() ? "" : ",") + l.name;
        e.kv("lans", lans).kv("log", opts_.log_file.empty() ? "stderr" : opts_.log_file);
        logging::write(e);
        for (const auto& l : engine_.lans()) {
            event le("daemon", severity::info, "lan");
            le.kv("lan", l.name).kv("ifindex", l.ifindex);
            std::string addrs;
            for (const auto& a : l.addrs) addrs += (addrs.empty() ? "" : ",") + a.to_string();
            le.kv("addrs", addrs.empty() ? "none" : addrs);
            int rp = platform::rp_filter_mode(l.name);
            le.kv("rp_filter", rp);
            logging::write(le);
            if (rp == 1)
                logging::write(event("daemon", severity::warning, "rp_filter_strict")
                                   .kv("lan", l.name)
                                   .kv("hint", "strict reverse-path filtering drops probes once traffic is "
                                               "rerouted, so recovery is never seen: set rp_filter to 0 or 2"));
            if (l.addrs.empty())
                logging::write(event("daemon", severity::warning, "lan_without_ipv4").kv("lan", l.name));
        }
        if (engine_.lans().size() < 2)
            logging::write(event("daemon", severity::warning, "single_lan")
                               .kv("hint", "only one LAN is monitored: there is nothing to fail over to"));
    }

    void wait_readable(std::size_t i) {
        descriptors_[i].async_wait(asio::posix::stream_descriptor::wait_read, [this, i](boost::system::error_code ec) {
            if (ec) return;  // cancelled at stop
            engine_output out;
            std::array<std::uint8_t, 4096> buf;
            // Drain what is queued, bounded so one busy LAN cannot starve the timer.
            for (int n = 0; n < 64; ++n) {
                auto d = sockets_[i]->receive(buf.data(), buf.size());
                if (!d) break;
                engine_.receive(i, d->from, d->from_port, buf.data(), d->size, now(), out, d->ttl);
            }
            handle(out);
            wait_readable(i);
        });
    }

    void wait_signal() {
        signals_.async_wait([this](boost::system::error_code ec, int sig) {
            if (ec) return;
            if (sig == SIGHUP) {
                logging::reopen();
                logging::write(event("daemon", severity::info, "log_reopened"));
                wait_signal();
                return;
            }
            stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
        });
    }

    void schedule() {
        timer_.expires_at(std::chrono::steady_clock::time_point(
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(engine_.next_wakeup())));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            engine_output out;
            engine_.tick(now(), out);
            handle(out);
            schedule();
        });
    }

    void handle(engine_output& out) {
        for (const auto& s : out.sends) {
            std::string error;
            bool ok = sockets_[s.lan]->send_to(s.dst, s.port, s.bytes.data(), s.bytes.size(), error);
            // Log a LAN's send failures once when they start and once when they stop.
            if (ok != !send_failing_[s.lan]) {
                send_failing_[s.lan] = !ok;
                event e("daemon", ok ? severity::info : severity::warning, ok ? "send_recovered" : "send_failed");
                e.kv("lan", engine_.lans()[s.lan].name).kv("dst", s.dst.to_string());
                if (!ok) e.kv("error", error);
                logging::write(e);
            }
        }
        logging::write(out.events);
        if (out.paths_changed) {
            bool peer_gone = std::any_of(out.events.begin(), out.events.end(), [](const event& e) {
                return e.text.rfind("event=bye", 0) == 0 || e.text.rfind("event=peer_lost", 0) == 0;
            });
            event_list events;
            reconciler_.reconcile(engine_.desired_routes(), peer_gone ? "peer_gone" : "switchback", events);
            logging::write(events);
        }
    }

    void stop(const char* why) {
        engine_output out;
        engine_.shutdown(out);
        handle(out);
        event_list events;
        bool clean = reconciler_.reconcile({}, "shutdown", events);
        logging::write(events);
        logging::write(event("daemon", severity::info, "stop").kv("signal", why).kv("routes_left", clean ? 0 : 1));
        timer_.cancel();
        for (auto& d : descriptors_) d.cancel();
        signals_.cancel();
        exit_code_ = clean ? 0 : 1;
    }

    const options& opts_;
    std::vector<platform::interface_info> ifs_;
    std::vector<std::unique_ptr<platform::probe_socket>> sockets_;
    std::unique_ptr<platform::route_table> table_;
    reconciler reconciler_;
    engine engine_;
    asio::io_context io_;
    asio::steady_timer timer_;
    asio::signal_set signals_;
    std::vector<asio::posix::stream_descriptor> descriptors_;
    std::vector<bool> send_failing_;
    int exit_code_ = 0;
};

int fatal(const std::string& what) {
    logging::write(event("daemon", severity::error, "fatal").kv("error", what));
    std::cerr << "faild: " << what << "\n";
    return 1;
}

}  // namespace

int run_daemon(const options& opts) {
    std::string error;
    auto links = platform::make_link_source(error);
    if (!links) return fatal("cannot read interfaces: " + error);
    auto all = links->list(error);
    if (!error.empty()) return fatal("cannot read interfaces: " + error);
    auto ifs = select_interfaces(opts, all, error);
    if (ifs.empty()) return fatal(error);

    std::vector<lan> lans;
    std::vector<std::unique_ptr<platform::probe_socket>> sockets;
    for (const auto& i : ifs) {
        lans.push_back(to_lan(i));
        auto s = platform::open_probe_socket(i.name, family::v4, opts.port, error);
        if (!s) return fatal(error);
        sockets.push_back(std::move(s));
    }
    auto table = platform::make_route_table(error);
    if (!table) return fatal("cannot open the routing table: " + error);

    engine_config cfg;
    cfg.node_id = opts.node_id.empty() ? default_node_id(ifs) : opts.node_id;
    std::random_device entropy;
    cfg.incarnation = std::uniform_int_distribution<std::uint32_t>(1, UINT32_MAX)(entropy);
    cfg.requestor = opts.requestor;
    cfg.interval = opts.interval;
    cfg.fail_after = opts.fail_after;
    cfg.up_after = opts.up_after;
    cfg.port = opts.port;
    cfg.forget_after = std::max<duration>(ms(60'000), opts.interval * opts.fail_after * 10);

    daemon d(opts, std::move(ifs), std::move(lans), std::move(sockets), std::move(table), std::move(cfg));
    return d.run();
}

}  // namespace faild
