// DOC: privileges — what the running process may do, from its effective
// capability set (capget(2), version 3: two 32-bit words, caps 0..63).
//
// Asked of the kernel rather than inferred from the uid: root in a container
// can lack CAP_NET_ADMIN, and a non-root service can hold it via systemd's
// AmbientCapabilities=.
#include "platform/platform.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace faild::platform {

privileges current_privileges() {
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;  // this thread
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    privileges p;
    if (syscall(SYS_capget, &header, data) != 0) return p;  // unknown: claim nothing
    auto has = [&](int cap) { return (data[cap / 32].effective >> (cap % 32)) & 1u; };
    p.net_admin = has(CAP_NET_ADMIN);
    p.net_raw = has(CAP_NET_RAW);
    p.sys_nice = has(CAP_SYS_NICE);
    p.ipc_lock = has(CAP_IPC_LOCK);
    return p;
}

}  // namespace faild::platform
