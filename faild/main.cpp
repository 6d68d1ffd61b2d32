// faild: keeps multi-homed hosts talking when one of their LANs fails.
//
// Order matters: every check that can fail on a bad command line happens
// before anything touches the network or the routing table (exit 2), then
// privileges (exit 1), then the daemon runs.
#include "faild/daemon.hpp"
#include "faild/log.hpp"
#include "faild/options.hpp"
#include "platform/platform.hpp"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    auto parsed = faild::parse_options(argc, argv);
    if (!parsed.opts) {
        std::cout << parsed.out;
        if (!parsed.err.empty()) std::cerr << parsed.err << "\n";
        return parsed.exit_code;
    }
    const auto& opts = *parsed.opts;

    std::string error;
    if (!faild::logging::init(opts.log_file, error)) {
        std::cerr << "faild: " << error << "\n";
        return 2;
    }

    // Keys are part of the configuration: a bad key file is exit 2 too.
    faild::options run_opts = opts;
    if (!opts.key_file.empty() && !run_opts.keys.load(opts.key_file, error)) {
        std::cerr << "faild: " << error << "\n";
        return 2;
    }

    auto priv = faild::platform::current_privileges();
    if (!priv.net_admin || !priv.net_raw) {
        std::string missing = !priv.net_admin && !priv.net_raw ? "CAP_NET_ADMIN and CAP_NET_RAW"
                              : !priv.net_admin                ? "CAP_NET_ADMIN"
                                                               : "CAP_NET_RAW";
        std::cerr << "faild: missing privileges: needs " << missing
                  << " (CAP_NET_ADMIN to change routes, CAP_NET_RAW to bind probe sockets to interfaces); "
                     "run as root or grant them\n";
        return 1;
    }
    try {
        return faild::run_daemon(run_opts, std::vector<std::string>(argv, argv + argc));
    } catch (const std::exception& e) {  // before the loop runs: nothing installed yet
        std::cerr << "faild: fatal: " << e.what() << "\n";
        return 1;
    }
}
