// DOC: daemon — the event loop, and the wiring of the daemon's jobs around
// the pure engine:
//
//   lan_sockets: datagrams ────────────> engine.receive ──────┐
//   link_watch: netlink, lan_diff ─────> engine.update_lans ──┼─> handle():
//   the probe timer (engine.next_wakeup) ─> engine.tick ──────┘   sends, emit()
//   SIGTERM/SIGINT ─> BYE, routes removed, stop                   (the log,
//   SIGHUP ─> reopen the log, reload; SIGUSR1 ─> reopen the log   hook_runner,
//                                                                 control_server),
//                                                                 reconcile
//
// Each job has a file of its own: startup (what is opened and worked out
// before the loop), lan_sockets, link_watch, lan_claims (our LANs in our
// table), reload (SIGHUP), hook_runner (the notify program),
// control_server (faildctl), state_writer (the proofs across restarts),
// limited_log (rate-limited lines). What stays here: the loop's timer and
// signals, syncing routes (the reconciler after every change of the path
// table, the adoption of an earlier run's routes, the periodic repair) and
// systemd's READY, STATUS and WATCHDOG.
#pragma once

#include "faild/core/options.hpp"

#include <string>
#include <vector>

namespace faild {

/// Runs faild until SIGTERM/SIGINT; returns the process exit status.
/// Logging must be initialised; privileges already checked. `args` is the
/// command line, read again with the configuration files on SIGHUP.
int run_daemon(const options& opts, std::vector<std::string> args);

}  // namespace faild
