// DOC: log — Boost.Log set-up: one line per event, key=value throughout.
//
//   time=2026-11-22T06:30:00.123456Z level=info module=path event=path_down ...
//
// One channel per module (the event's `module`). To a file opened for append
// and flushed per line (so `tail -f` loses nothing), to syslog (Boost.Log's
// syslog backend: facility daemon, the priority from the level), or to
// stderr; when stderr is the journal's stream (JOURNAL_STREAM), each line
// starts with its priority ("<4>") so the journal keeps it.
// reopen() closes and reopens the file for logrotate (SIGUSR1, and SIGHUP).
//
// Nothing on the probe loop waits for the disk (or for syslog's socket):
// the file and syslog sinks are asynchronous. write() formats nothing and
// queues the record (its time taken then, so lines read as before); a
// writer thread of the ordinary scheduling class writes and flushes it. The
// queue holds queue_limit lines; when the writer is held up that long
// (sync() under memory pressure), further lines are dropped and counted,
// never waited for, and the next line that fits is preceded by
// `event=log_dropped count=N total=M reason=queue_full`. shutdown() writes
// what is queued (faild calls it on every way out of main). Standard error
// stays synchronous: it is for a faild in the foreground.
#pragma once

#include "faild/core/event.hpp"

#include <cstdint>
#include <string>

namespace faild::logging {

/// Log to `file` (empty: stderr; "syslog": syslog). False and `error` when
/// it cannot be opened.
bool init(const std::string& file, std::string& error);
/// Reopen the log file (after logrotate moved it); no-op for stderr. The
/// writer thread reopens it before the next line it writes.
void reopen();
/// Queues the event's line (file, syslog) or writes it (stderr); never
/// waits for the disk.
void write(const event& e);
void write(const event_list& events);
/// Lines dropped so far because the queue was full.
std::uint64_t dropped();
/// Waits until every queued line is written (tests; the loop never calls it).
void flush();
/// Stops the writer thread and writes what is still queued. Lines logged
/// after it are lost: call it last.
void shutdown();

}  // namespace faild::logging
