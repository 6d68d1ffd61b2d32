// DOC: daemon — see daemon.hpp.
#include "faild/daemon/daemon.hpp"

#include "faild/core/engine.hpp"
#include "faild/core/hooks.hpp"
#include "faild/core/loop_lateness.hpp"
#include "faild/core/route_sync.hpp"
#include "faild/core/silence_watch.hpp"
#include "faild/daemon/effect_log.hpp"
#include "faild/daemon/control_server.hpp"
#include "faild/daemon/hook_runner.hpp"
#include "faild/daemon/lan_claims.hpp"
#include "faild/daemon/lan_sockets.hpp"
#include "faild/daemon/limited_log.hpp"
#include "faild/daemon/link_watch.hpp"
#include "faild/daemon/log.hpp"
#include "faild/daemon/loop.hpp"
#include "faild/daemon/realtime.hpp"
#include "faild/daemon/reload.hpp"
#include "faild/daemon/sd_notify.hpp"
#include "faild/daemon/startup.hpp"
#include "faild/daemon/state_writer.hpp"
#include "platform/platform.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <signal.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

namespace faild {

namespace {

namespace asio = boost::asio;

class daemon {
public:
    /// Takes over what start-up opened (startup: prepare_start).
    daemon(const options& opts, std::vector<std::string> args, start_kit kit)
        : opts_(opts),
          args_(std::move(args)),
          ifs_(std::move(kit.ifs)),
          table_(std::move(kit.table)),
          routes_(*table_, kit.cfg.interval, kit.cfg.fail_after),
          engine_(std::move(kit.cfg), std::move(kit.lans), now()),
          wakeup_(std::move(kit.wakeup)),
          wakeup_fd_(io_, wakeup_->fd()),
          repair_timer_(io_),
          state_(io_, engine_, std::move(kit.state_path), [this](const event& e) { emit(e); }, stopping_),
          signals_(io_, SIGTERM, SIGINT, SIGHUP),
          reopen_signal_(io_, SIGUSR1),
          sockets_(io_, engine_, opts.port, [this](const event& e) { emit(e); },
                   [this](engine_output& out) { handle(out); }, stopping_),
          link_watch_(io_, engine_, sockets_, claims_, opts_, std::move(kit.links), std::move(kit.monitor),
                      [this](const event& e) { emit(e); }, [this](engine_output& out) { handle(out); }, stopping_) {}

    ~daemon() {
        // The platform objects own their descriptors: Asio must not close them.
        wakeup_fd_.release();
    }

    /// Claims every LAN in our routing table (lan_claims::claim_all).
    bool claim_lans(std::string& error) { return claims_.claim_all(engine_.lans(), error); }
    /// Listens on the control socket (control_server::open).
    bool open_control(std::string& error) { return control_.open(error); }
    /// Opens the probe sockets; false (with `error`) when IPv4 cannot be had.
    bool open_sockets(std::string& error) { return sockets_.open_all(error); }

    int run() {
        log_start();
        sockets_.watch_all();
        link_watch_.start();
        control_.start();
        hooks_.start();
        wait_signal();
        wait_reopen();
        rearm();
        wait_wakeup();
        // The LANs are open: the first sync. Leftovers of an earlier run
        // (crash, SIGKILL) are adopted while the paths are learnt again
        // (route_sync), nothing else of ours is wanted yet. Then systemd
        // hears that faild is ready.
        effect_list effects;
        routes_.start(engine_.desired_routes(), now(), effects);
        emit(effects);
        schedule_repair();
        after_sync();
        sd_.send("READY=1\nSTATUS=" + status_text());
        try {
            io_.run();
        } catch (const std::exception& e) {
            // Nothing may leave routes behind: say BYE and remove them
            // without the event loop, then report.
            emit(event("daemon", severity::error, "fatal").kv("error", e.what()));
            std::cerr << "faild: fatal: " << e.what() << "\n";
            if (!stopping_) stop("fatal");
            return 1;
        }
        return exit_code_;
    }

private:
    void log_start() {
        emit(start_line(opts_, engine_, control_.shown_path()));
        for (std::size_t li = 0; li < engine_.lans().size(); ++li)
            emit(lan_line(engine_.lans()[li], sockets_.has(li, family::v6)));
        link_watch_.note_dadfailed(ifs_);
        if (engine_.lans().size() < 2)
            emit(event("daemon", severity::warning, "single_lan")
                               .kv("hint", "only one LAN is monitored: there is nothing to fail over to"));
    }

    void wait_signal() {
        signals_.async_wait([this](boost::system::error_code ec, int sig) {
            if (ec || stopping_) return;
            if (sig == SIGHUP) {
                logging::reopen();
                emit(event("daemon", severity::info, "log_reopened").kv("signal", "SIGHUP"));
                reload(opts_, args_, [this](const event& e) { emit(e); });
                wait_signal();
                return;
            }
            stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
        });
    }

    /// SIGUSR1 (logrotate's postrotate): reopen the log, nothing else.
    void wait_reopen() {
        reopen_signal_.async_wait([this](boost::system::error_code ec, int) {
            if (ec || stopping_) return;
            logging::reopen();
            emit(event("daemon", severity::info, "log_reopened").kv("signal", "SIGUSR1"));
            wait_reopen();
        });
    }

    /// The probe loop's one timer: it stays armed for the core's next
    /// wakeup, which every handler moves in place with one system call
    /// (handle() -> rearm()). No wait is cancelled and nothing is posted, so
    /// a pass of the loop is one epoll_wait().
    void wait_wakeup() {
        wakeup_fd_.async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
            if (stopping_) return;
            if (ec) return wait_failed("wakeup_timer", ec);
            // Readiness seen in this pass may be stale: a socket's handler
            // before this one can have moved the timer later.
            const timestamp t = now();
            if (t >= armed_for_) {
                note_lateness(t);
                engine_output out;
                // Drain before judging: whatever deadline is due (a probe's
                // retry, a round's close, a responder's or mutual peer's
                // INQ deadline, a notice's check), a datagram already
                // queued when it passed is an answer in time (by its
                // kernel arrival stamp): the engine gets it first. One
                // poll() finds the sockets that have any; a tick that
                // judges nothing (a round whose answers all came in) has
                // nothing a datagram could change, and skips it.
                timestamp tick_at = t;
                if (engine_.judging_due(t)) {
                    sockets_.drain_ready(out);
                    tick_at = now();
                }
                sockets_.note_tick(tick_at);
                engine_.tick(tick_at, out);
                armed_for_ = timestamp::min();  // expired: the re-arm in handle() is due, whatever the time
                handle(out);
                watchdog(t);
                if (auto e = silence_.check(t, engine_.peers())) emit(*e);
            }
            wait_wakeup();
        });
    }

    /// Points the timer at the core's next wakeup, if it moved (or fired).
    /// A move later by less than a millisecond is left alone: a peer's INQs
    /// on two LANs arrive microseconds apart, and each moves the wakeup
    /// (past LAN A's deadline to LAN B's, then to the next round). The
    /// second move re-arms; without it the timer fires that little early,
    /// finds nothing due and re-arms then.
    void rearm() {
        const timestamp next = engine_.next_wakeup();
        if (next == armed_for_) return;
        if (armed_for_ != timestamp::min() && next > armed_for_ && next - armed_for_ < ms(1)) return;
        std::string error;
        if (!wakeup_->arm(next, error)) throw std::runtime_error("probe timer: " + error);
        armed_for_ = next;
        due_at_ = std::max(next, now());  // armed for a time already past: due now
    }

    /// The loop ran at `t` for the wakeup due at due_at_: a line when it ran
    /// late (loop_lateness: faild itself stalled, not the network).
    void note_lateness(timestamp t) {
        auto r = lateness_.note(due_at_, t);
        if (!r) return;
        event e("daemon", severity::warning, "loop_late");
        e.kv("late", static_cast<long long>(r->late))
            .kv("wakeups", static_cast<long long>(r->wakeups))
            .kv("worst_ms", static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(r->worst).count()));
        if (r->over.count() > 0) e.kv("for", format_seconds(r->over));
        else e.kv("hint", "faild itself ran late (CPU, memory or disk pressure): see REAL-TIME in faild(8)");
        emit(e);
    }

    /// A socket wait that fails for real (not cancelled) leaves that input
    /// deaf: say so loudly, once.
    void wait_failed(const char* what, boost::system::error_code ec) {
        faild::wait_failed([this](const event& e) { emit(e); }, what, ec);
    }

    /// The repair timer: route_sync decides what is put back and when the
    /// next repair is due; the timer and the calls are here.
    void schedule_repair() {
        repair_timer_.expires_after(routes_.period(engine_.desired_routes()));
        repair_timer_.async_wait([this](boost::system::error_code ec) {
            if (ec || stopping_) return;
            effect_list effects;
            routes_.repair(engine_.desired_routes(), now(), effects);
            emit(effects);
            after_sync();
            schedule_repair();
        });
    }

    /// The plan changed: every change is tried now (`why` says why).
    void reconcile(sync_reason why) {
        effect_list effects;
        routes_.sync(engine_.desired_routes(), why, now(), effects);
        emit(effects);
        after_sync();
    }

    /// WATCHDOG=1 from the probe loop, every quarter of systemd's
    /// WatchdogSec= at most: the engine ticks at least every 2 s, so a loop
    /// that stalls stops the pings and systemd restarts faild.
    void watchdog(timestamp t) {
        if (!sd_.watchdog() || t - last_watchdog_ < *sd_.watchdog() / 4) return;
        last_watchdog_ = t;
        sd_.send("WATCHDOG=1");
    }

    silence_config silence_settings() const {
        silence_config c;
        c.requestor = engine_.config().requestor;
        c.after = silence_watch::after_for(engine_.config().interval);
        c.port = engine_.config().port;
        for (const auto& l : engine_.lans()) c.lans += (c.lans.empty() ? "" : ",") + l.name;
        return c;
    }

    /// One line for systemctl status: LANs, role, peers, paths up, routes.
    std::string status_text() const {
        std::size_t paths = 0, up = 0;
        for (const auto& [id, p] : engine_.peers())
            for (const auto& [k, pa] : p.paths) {
                ++paths;
                if (pa.routing_state() == path_state::up) ++up;
            }
        std::string lans;
        for (const auto& l : engine_.lans()) lans += (lans.empty() ? "" : ",") + l.name;
        std::string s = (engine_.config().requestor ? "requestor on " : "responder on ") + lans + ": ";
        if (engine_.peers().empty()) return s + "no peer heard yet";
        return s + std::to_string(engine_.peers().size()) + " peer(s), " + std::to_string(up) + "/" +
               std::to_string(paths) + " paths up, " + std::to_string(routes_.installed().size()) +
               " failover route(s)";
    }

    /// After every sync or repair: systemd's STATUS= line, and the repair
    /// timer brought forward when routes are to be watched now and it idles.
    void after_sync() {
        if (std::string st = status_text(); st != sd_status_) {
            sd_status_ = st;
            sd_.send("STATUS=" + st);
        }
        const route_set& plan = engine_.desired_routes();
        auto due = std::chrono::steady_clock::now() + routes_.period(plan);
        if (!stopping_ && routes_.watching(plan) && repair_timer_.expiry() > due) schedule_repair();
    }

    void handle(engine_output& out) {
        if (out.incarnation_renewed) sockets_.refilter();
        for (const auto& s : out.sends) sockets_.send(s);
        // An input can bring the next deadline forward (a notice to confirm
        // within a few ms, carrier back: probe now): re-arm, or it would
        // wait for the next round. Or push it back (the ACK came: no retry
        // timeout to watch): re-arm too, one system call instead of a
        // wakeup for nothing.
        if (!stopping_) rearm();
        emit(out.effects);
        // Paths forgotten (their peer no longer claims the LAN) may leave a
        // gone LAN at the end with none: drop it now, not at the next link
        // change (refresh hands the engine the shorter list).
        if (out.paths_changed && !stopping_ && link_watch_.droppable(engine_.lans().size())) link_watch_.refresh();
        if (out.proofs_changed) state_.note_changed();
        if (out.paths_changed) {
            // Why routes may go: the peer left, a path came back, or the
            // plan changed otherwise (no live path left, addresses moved).
            const auto& fxs = out.effects;
            const bool gone = std::any_of(fxs.begin(), fxs.end(), [](const effect& e) {
                const auto* l = std::get_if<fx::peer_left>(&e);
                return l && l->reason != fx::peer_left::why::evicted;
            });
            const bool back = std::any_of(fxs.begin(), fxs.end(), [](const effect& e) {
                const auto* c = std::get_if<fx::path_changed>(&e);
                return c && c->to == path_state::up;
            });
            reconcile(gone ? sync_reason::peer_gone : back ? sync_reason::switchback : sync_reason::replanned);
        }
    }

    /// Clean exit: BYE on every LAN, every faild route removed. From here on
    /// every handler returns at once (one may already be queued in this pass
    /// of the loop: it must not probe or re-add a route after the BYE).
    void stop(const char* why) {
        stopping_ = true;
        // Another SIGTERM may follow (an init script, an impatient operator).
        // Blocked, it stays pending and dies with us; otherwise it would
        // kill us with status 143 once the signal_set is gone and has given
        // SIGTERM back its default action. Hooks reset their mask.
        sigset_t quit;
        sigemptyset(&quit);
        for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&quit, sig);
        pthread_sigmask(SIG_BLOCK, &quit, nullptr);
        engine_output out;
        engine_.shutdown(out);
        for (const auto& s : out.sends) sockets_.send(s);
        state_.flush();  // what was proven counts again after a restart
        effect_list effects;
        bool clean = routes_.stop(effects);
        emit(effects);
        emit(event("daemon", severity::info, "stop").kv("signal", why).kv("routes_left", clean ? 0 : 1));
        exit_code_ = clean ? 0 : 1;
        sd_.send(std::string("STOPPING=1\nSTATUS=stopped (") + why + "), routes " + (clean ? "removed" : "left"));
        control_.close();
        io_.stop();
    }

    /// The core's effects: their log lines, then the hooks they call for.
    void emit(const effect& x) {
        if (const auto* held = std::get_if<fx::miss_held>(&x)) {
            // Under load these come every few seconds: the first of each
            // reason in full, then a count a minute (limited_log).
            event e = to_event(x);
            control_.publish(e);
            limited_.write(std::string("path/miss_held/") + fx::to_string(held->reason), std::move(e));
        } else {
            emit(to_event(x));
        }
        // The planner sees every effect (it remembers proven peers), even
        // while no program is set: one may be set by SIGHUP.
        if (auto call = hook_planner_.plan(x, engine_.config().node_id, engine_.lans(), engine_.peers(), engine_.proofs()))
            if (!opts_.notify.empty()) hooks_.offer(*call);
    }
    void emit(const effect_list& effects) {
        for (const auto& x : effects) emit(x);
    }

    /// Logs a line and streams it to `faildctl events` subscribers.
    void emit(const event& e) {
        logging::write(e);
        control_.publish(e);
    }
    void emit(const event_list& events) {
        for (const auto& e : events) emit(e);
    }

    options opts_;
    std::vector<std::string> args_;  ///< the command line, to re-read the configuration on SIGHUP
    std::vector<platform::interface_info> ifs_;
    std::unique_ptr<platform::route_table> table_;
    route_sync routes_;  ///< when routes are written (the policy); the timer is ours
    engine engine_;
    asio::io_context io_{1};  // concurrency hint: only this thread runs the loop
    bool stopping_ = false;   ///< stop() began: every handler returns at once
    std::unique_ptr<platform::wakeup_timer> wakeup_;
    asio::posix::stream_descriptor wakeup_fd_;  ///< wakeup_'s descriptor (owned by wakeup_)
    asio::steady_timer repair_timer_;
    state_writer state_;  ///< the address proofs, across restarts
    asio::signal_set signals_;
    asio::signal_set reopen_signal_;  ///< SIGUSR1: only reopen the log
    lan_sockets sockets_;
    lan_claims claims_{opts_, [this](const event& e) { emit(e); }};  ///< our LANs in our table
    link_watch link_watch_;
    hook_planner hook_planner_;
    limited_log limited_{io_, stopping_};  ///< lines that can repeat per event
    hook_runner hooks_{io_, opts_, limited_};
    control_server control_{io_, opts_, engine_, routes_.rec(), limited_, [this](const event& e) { emit(e); }, stopping_};
    timestamp armed_for_ = timestamp::max();  ///< what wakeup_ is armed for (min: it fired)
    timestamp due_at_ = timestamp::max();     ///< when it is due: armed_for_, or the arming if that was later
    loop_lateness lateness_{loop_lateness::threshold_for(engine_.config().interval)};
    int exit_code_ = 0;
    sd::notifier sd_ = sd::notifier::from_environment();  ///< systemd, if it asked (NOTIFY_SOCKET)
    timestamp last_watchdog_{0};
    silence_watch silence_{silence_settings(), now()};  ///< warns when no peer is heard
    std::string sd_status_;  ///< the last STATUS= sent
};

int fatal(const std::string& what) {
    logging::write(event("daemon", severity::error, "fatal").kv("error", what));
    std::cerr << "faild: " << what << "\n";
    return 1;
}

}  // namespace

int run_daemon(const options& opts, std::vector<std::string> args) {
    std::string error;
    auto kit = prepare_start(opts, error);
    if (!kit) return fatal(error);
    const std::vector<std::string> loosened = kit->loosened;
    daemon d(opts, std::move(args), std::move(*kit));
    if (!d.claim_lans(error)) return fatal(error);
    if (!d.open_control(error)) return fatal(error);
    if (!d.open_sockets(error)) return fatal(error);
    for (const auto& name : loosened)
        logging::write(event("lan", severity::info, "rp_filter_set").kv("lan", name).kv("value", 2));
    // Last before the loop, on the loop's thread: everything is open, the
    // log's writer thread runs (it stays ordinary).
    if (!apply_realtime(opts, [](const event& e) { logging::write(e); }, error)) return fatal(error);
    return d.run();
}

}  // namespace faild
