// DOC: process_priority — real-time scheduling and locked memory for the
// probe loop's thread (see platform.hpp; the daemon's realtime.cpp decides
// when).
//
// sched_setscheduler(2) with pid 0 changes the calling thread only: the
// log's writer thread, started before, stays under the ordinary scheduler,
// so a slow disk never holds a real-time thread. SCHED_RESET_ON_FORK makes
// every child (posix_spawn of the notify program) start as SCHED_OTHER.
// Without CAP_SYS_NICE the kernel allows a priority up to RLIMIT_RTPRIO;
// under systemd, RestrictRealtime=yes refuses it whatever the limits, and a
// cgroup without real-time runtime (CONFIG_RT_GROUP_SCHED) refuses it too.
#include "platform/platform.hpp"

#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

namespace faild::platform {

bool set_realtime(int priority, std::string& error) {
    sched_param sp{};
    sp.sched_priority = priority;
    if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) == 0) return true;
    const int e = errno;
    error = std::string("sched_setscheduler(SCHED_RR, ") + std::to_string(priority) + "): " + std::strerror(e);
    if (e == EPERM) {
        rlimit rl{};
        std::string limit = getrlimit(RLIMIT_RTPRIO, &rl) != 0 ? "unknown"
                            : rl.rlim_cur == RLIM_INFINITY  ? "unlimited"
                                                            : std::to_string(rl.rlim_cur);
        error += " (needs CAP_SYS_NICE or RLIMIT_RTPRIO >= " + std::to_string(priority) + ", now " + limit +
                 "; under systemd also RestrictRealtime=no)";
    }
    return false;
}

std::string scheduling_text() {
    const int policy = sched_getscheduler(0);
    sched_param sp{};
    sched_getparam(0, &sp);
    switch (policy & ~SCHED_RESET_ON_FORK) {
    case SCHED_RR: return "SCHED_RR " + std::to_string(sp.sched_priority);
    case SCHED_FIFO: return "SCHED_FIFO " + std::to_string(sp.sched_priority);
    case SCHED_OTHER: return "SCHED_OTHER";
    default: return "policy " + std::to_string(policy);
    }
}

memory_facts memory_lock_facts() {
    memory_facts f;
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "VmSize:") {
            std::uint64_t kb = 0;
            if (status >> kb) f.mapped = kb << 10;
            break;
        }
        status.ignore(4096, '\n');
    }
    rlimit rl{};
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) f.limit = rl.rlim_cur;
    f.cap_ipc_lock = current_privileges().ipc_lock;
    return f;
}

bool lock_memory(std::string& error) {
    int flags = MCL_CURRENT | MCL_FUTURE;
#ifdef MCL_ONFAULT
    if (mlockall(flags | MCL_ONFAULT) == 0) return true;
    if (errno != EINVAL) {  // EINVAL: a kernel before 4.4, without MCL_ONFAULT
        error = std::string("mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT): ") + std::strerror(errno);
        return false;
    }
#endif
    if (mlockall(flags) == 0) return true;
    error = std::string("mlockall(MCL_CURRENT | MCL_FUTURE): ") + std::strerror(errno);
    return false;
}

}  // namespace faild::platform
