// DOC: daemon — the only Asio glue: sockets, timer and signals around the
// pure engine, and the reconciler after every change of the path table.
//
//   probe sockets (one per LAN) ──readable──> engine.receive ─┐
//   steady_timer (engine.next_wakeup) ──────> engine.tick ────┼─> send, log,
//   SIGTERM/SIGINT ─> BYE, remove routes, stop                │   reconcile
//   SIGHUP ─> reopen the log file, reload; SIGUSR1 ─> reopen  ┘
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
