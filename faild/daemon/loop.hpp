// DOC: loop — what the daemon's jobs (lan_sockets, link_watch, hook_runner,
// control_server, ...) share with its event loop (daemon.cpp): the clock
// the core counts in, where their events go, and how a failed wait is told.
#pragma once

#include "faild/core/arrival_clock.hpp"
#include "faild/core/clock.hpp"
#include "faild/core/event.hpp"

#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>

namespace faild {

/// The steady clock now, as the core counts time.
inline timestamp now() {
    return std::chrono::duration_cast<timestamp>(std::chrono::steady_clock::now().time_since_epoch());
}

/// The wall clock now, as SO_TIMESTAMPNS stamps a datagram's arrival
/// (read next to now(): arrival_clock turns a stamp into the core's time).
inline wall_stamp wall_now() {
    return std::chrono::duration_cast<wall_stamp>(std::chrono::system_clock::now().time_since_epoch());
}

/// Where a job's events go: the daemon's emit() (the log, the notify
/// program's planner, `faildctl events`).
using emitter = std::function<void(const event&)>;

/// A socket wait that fails for real (not cancelled) leaves that input
/// deaf: says so loudly (event=wait_failed input=WHAT), once.
void wait_failed(const emitter& emit, const char* input, boost::system::error_code ec);

}  // namespace faild
