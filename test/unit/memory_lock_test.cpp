// DOC: memory_lock_test — when faild locks its memory, and what it says
// when it may not.
#include "faild/core/memory_lock.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {
constexpr std::uint64_t MiB = 1ull << 20;
}

TEST_CASE("memory_lock: CAP_IPC_LOCK or an unlimited RLIMIT_MEMLOCK always locks") {
    CHECK(plan_memory_lock({200 * MiB, 8 * MiB, true}).lock);
    CHECK(plan_memory_lock({200 * MiB, std::nullopt, false}).lock);
}

TEST_CASE("memory_lock: without the capability, only a limit with headroom above the mapped memory locks") {
    CHECK(plan_memory_lock({40 * MiB, 40 * MiB + memory_lock_headroom, false}).lock);
    // Enough for what is mapped now, but MCL_FUTURE would make the next
    // thread or arena fail: refused.
    auto tight = plan_memory_lock({40 * MiB, 40 * MiB + memory_lock_headroom - 1, false});
    CHECK_FALSE(tight.lock);
    auto small = plan_memory_lock({40 * MiB, 8 * MiB, false});
    CHECK_FALSE(small.lock);
    CHECK(small.refusal ==
          "RLIMIT_MEMLOCK (8 MiB) is below faild's mapped memory (40 MiB) plus 64 MiB of headroom, and faild "
          "lacks CAP_IPC_LOCK: grant CAP_IPC_LOCK or raise the limit (LimitMEMLOCK= in the unit, ulimit -l)");
}
