// DOC: realtime — the probe loop's claim on the CPU and on memory, made
// once at start, before the loop runs (faild(8), "Real-time"):
//
//   --lock-memory ─> plan_memory_lock (core) ─> mlockall ─> memory_locked
//                                                           | memory_lock_unavailable
//   --realtime    ─> SCHED_RR | SCHED_RESET_ON_FORK ──────> realtime
//                                                           | realtime_unavailable
//
// Both are best effort: a refusal is one warning line and faild runs on
// without, unless --require-realtime asks for a refusal to be fatal. Only
// the calling (loop) thread is made real-time: the log's writer thread,
// started before, stays ordinary, and the notify program starts ordinary
// (SCHED_RESET_ON_FORK).
#pragma once

#include "faild/core/options.hpp"
#include "faild/daemon/loop.hpp"

#include <string>

namespace faild {

/// Applies opts.lock_memory and opts.realtime_priority, each outcome as a
/// line through `emit`. False (and `error`) only with opts.require_realtime,
/// when one of them was asked for and could not be had.
bool apply_realtime(const options& opts, const emitter& emit, std::string& error);

}  // namespace faild
