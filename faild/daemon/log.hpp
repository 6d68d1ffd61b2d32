// DOC: log — Boost.Log set-up: one line per event, key=value throughout.
//
//   time=2026-11-22T06:30:00.123456Z level=info module=path event=path_down ...
//
// One channel per module (the event's `module`). To a file opened for append
// and flushed per line (so `tail -f` and crashes lose nothing), to syslog
// (Boost.Log's syslog backend: facility daemon, the priority from the
// level), or to stderr; when stderr is the journal's stream (JOURNAL_STREAM),
// each line starts with its priority ("<4>") so the journal keeps it.
// reopen() closes and reopens the file for logrotate (SIGUSR1, and SIGHUP).
#pragma once

#include "faild/core/event.hpp"

#include <string>

namespace faild::logging {

/// Log to `file` (empty: stderr; "syslog": syslog). False and `error` when
/// it cannot be opened.
bool init(const std::string& file, std::string& error);
/// Reopen the log file (after logrotate moved it); no-op for stderr.
void reopen();
void write(const event& e);
void write(const event_list& events);

}  // namespace faild::logging
