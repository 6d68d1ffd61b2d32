// DOC: memory_lock — see memory_lock.hpp.
#include "faild/core/memory_lock.hpp"

namespace faild {

namespace {

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

}  // namespace

memory_lock_plan plan_memory_lock(const memory_facts& f) {
    memory_lock_plan p;
    if (f.cap_ipc_lock || !f.limit || *f.limit >= f.mapped + memory_lock_headroom) {
        p.lock = true;
        return p;
    }
    p.refusal = "RLIMIT_MEMLOCK (" + mib(*f.limit) + ") is below faild's mapped memory (" + mib(f.mapped) +
                ") plus " + mib(memory_lock_headroom) +
                " of headroom, and faild lacks CAP_IPC_LOCK: grant CAP_IPC_LOCK or raise the limit "
                "(LimitMEMLOCK= in the unit, ulimit -l)";
    return p;
}

}  // namespace faild
