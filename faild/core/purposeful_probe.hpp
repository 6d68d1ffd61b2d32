// DOC: purposeful_probe — a probe of ours sent for a purpose other than
// the round: a fast confirmation retry, the check of a suspected miss,
// the check of a peer's notice. One primitive: the sequence number its
// answer echoes, until when it is awaited (its timeout), and what its
// silence does (its action), all data. An answer ends it; the engine runs
// the action of one whose deadline passed (engine::on_silence).
#pragma once

#include "faild/core/clock.hpp"

#include <cstdint>

namespace faild {

struct purposeful_probe {
    enum class on_silence : std::uint8_t {
        settle,        ///< a suspected miss's check: the misses owed count
        notice_down,   ///< a notice's check: the path goes down (peer_notice)
        probe_again,   ///< a doubted notice's first probe: a second one, then notice_down
        confirm_miss,  ///< a fast confirmation retry: one missed round more, confirmed (and the misses owed)
    };
    std::uint32_t seq = 0;
    timestamp deadline{0};
    on_silence action = on_silence::settle;
    /// The fresh probe a held miss waits for (stall_guard): its silence
    /// counts, unless judged late (sent again, at most max_late_probes times).
    bool last_chance = false;
    std::uint8_t late_probes = 0;  ///< how often it was sent again for a late judgment
};

}  // namespace faild
