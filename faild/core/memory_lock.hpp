// DOC: memory_lock — whether faild may lock its memory (mlockall), decided
// from facts the daemon reads (pure: no system calls here).
//
// mlockall(MCL_CURRENT) is refused by the kernel as a whole when the
// process's mapped memory (VmSize) is larger than RLIMIT_MEMLOCK and it
// lacks CAP_IPC_LOCK. MCL_FUTURE is worse: once it is set, every later
// mapping (a thread's stack, a malloc arena, a grown heap) that would take
// the locked total past the limit fails, and faild would die of a failed
// allocation instead of paging. So without CAP_IPC_LOCK or an unlimited
// RLIMIT_MEMLOCK, faild locks only when the limit leaves at least
// `headroom` above what it maps now, and otherwise says why not.
// MCL_ONFAULT (Linux 4.4) locks pages as they are touched instead of
// faulting in every reserved page at once (thread stacks, malloc arenas):
// what stays resident is what faild uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace faild {

/// What the daemon read before locking.
struct memory_facts {
    std::uint64_t mapped = 0;              ///< VmSize, bytes
    std::optional<std::uint64_t> limit;    ///< RLIMIT_MEMLOCK (soft), bytes; nullopt: unlimited
    bool cap_ipc_lock = false;             ///< CAP_IPC_LOCK in the effective set
};

/// What to ask mlockall() for.
struct memory_lock_plan {
    bool lock = false;  ///< call mlockall(MCL_CURRENT | MCL_FUTURE [| MCL_ONFAULT])
    std::string refusal;  ///< when not: why, as one sentence with the remedy
};

/// Room for what faild maps after the lock (threads, buffers, a reload).
inline constexpr std::uint64_t memory_lock_headroom = 64ull << 20;

/// Lock when CAP_IPC_LOCK or an unlimited limit allows it, or when the
/// limit exceeds `mapped` by at least memory_lock_headroom.
memory_lock_plan plan_memory_lock(const memory_facts& f);

}  // namespace faild
