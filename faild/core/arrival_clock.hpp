// DOC: arrival_clock — when a datagram arrived, on the core's clock.
//
// The kernel stamps each datagram as it queues it (SO_TIMESTAMPNS), on the
// wall clock (CLOCK_REALTIME): the only clock it offers for that. The core
// counts time on the steady clock. Reading both clocks back to back when
// the datagrams are read gives the datagram's age, and its arrival on the
// steady clock is that much before the read:
//
//   arrival = steady_now - (wall_now - stamp)
//
// Guards, because the wall clock can be stepped (NTP, an operator) between
// the stamp and the read:
//   - an age below zero (a stamp in the future) counts as zero;
//   - an age above max_age counts as max_age;
//   - the result is never earlier than the last time handed to the engine
//     (note(), and every arrival handed out): the engine never sees time go
//     back. A datagram that queued while faild was stalled is thus judged
//     by when it came, but never before a tick that already judged it.
// Without a stamp (the kernel gave none) the arrival is the read time.
// Time is an argument: nothing here reads a clock.
#pragma once

#include "faild/core/clock.hpp"

#include <chrono>
#include <optional>

namespace faild {

/// Wall-clock time since the epoch, as SO_TIMESTAMPNS gives it.
using wall_stamp = std::chrono::nanoseconds;

class arrival_clock {
public:
    /// A stamp older than this is taken as this old (a stepped wall clock).
    static constexpr duration max_age = ms(2000);

    /// The steady-clock arrival of a datagram stamped `stamp` (nullopt: no
    /// stamp), read when the wall clock said `wall_now` and the steady
    /// clock `steady_now`; at least every time handed out before.
    timestamp arrival(std::optional<wall_stamp> stamp, wall_stamp wall_now, timestamp steady_now);
    /// The engine was handed `t` (a tick): no later arrival is put before it.
    void note(timestamp t);

private:
    timestamp floor_ = timestamp::min();
};

}  // namespace faild
