// faild: keeps multi-homed hosts talking when one of their LANs fails.
//
// Order matters: every check that can fail on a bad command line happens
// before anything touches the network or the routing table (exit 2), then
// privileges (exit 1), then the daemon runs.
#include "faild/daemon/daemon.hpp"
#include "faild/daemon/log.hpp"
#include "faild/daemon/startup.hpp"
#include "faild/core/options.hpp"
#include "faild/core/preflight.hpp"
#include "platform/platform.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

/// The preflight checks' view of this machine.
faild::preflight_env real_env() {
    faild::preflight_env env;
    env.stat = [](const std::string& path) {
        faild::path_facts f;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) return f;
        f.exists = true;
        f.regular = S_ISREG(st.st_mode);
        f.directory = S_ISDIR(st.st_mode);
        f.mode = st.st_mode & 07777;
        f.executable = ::access(path.c_str(), X_OK) == 0;
        f.writable = ::access(path.c_str(), W_OK) == 0;
        return f;
    };
    env.read = [](const std::string& path) -> std::optional<std::string> {
        std::ifstream in(path);
        std::ostringstream text;
        if (!(in && text << in.rdbuf())) return std::nullopt;
        return text.str();
    };
    env.interfaces = []() -> std::optional<std::vector<std::string>> {
        std::string error;
        auto links = faild::platform::make_link_source(error);
        if (!links) return std::nullopt;
        auto all = links->list(error);
        if (!error.empty()) return std::nullopt;
        std::vector<std::string> names;
        for (const auto& i : all) names.push_back(i.name);
        return names;
    };
    return env;
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = faild::parse_options(argc, argv);
    if (!parsed.opts) {
        std::cout << parsed.out;
        if (!parsed.err.empty()) std::cerr << parsed.err << "\n";
        return parsed.exit_code;
    }
    const auto& opts = *parsed.opts;

    // What a start would refuse, --check-config refuses too (exit 2): the
    // key file, the notify program, the log; a missing interface is a
    // warning (it may come later).
    const auto findings = faild::preflight(opts, real_env());
    if (opts.check_config) {
        std::cout << parsed.out;
        for (const auto& f : findings) std::cerr << "faild: " << (f.error ? "error: " : "warning: ") << f.text << "\n";
        return faild::refuses(findings) ? 2 : 0;
    }
    for (const auto& f : findings)
        if (f.error) {
            std::cerr << "faild: " << f.text << "\n";
            return 2;
        }

    std::string error;
    if (!faild::logging::init(opts.log_file, error)) {
        std::cerr << "faild: " << error << "\n";
        return 2;
    }
    // The log's writer thread writes what is still queued on every way out.
    struct flush_log {
        ~flush_log() { faild::logging::shutdown(); }
    } flush_at_exit;

    // Keys are part of the configuration: a bad key file is exit 2 too.
    faild::options run_opts = opts;
    if (!opts.key_file.empty() && !run_opts.keys.load(opts.key_file, error)) {
        std::cerr << "faild: " << error << "\n";
        return 2;
    }

    if (auto missing = faild::missing_privileges(); !missing.empty()) {
        std::cerr << "faild: " << missing << "\n";
        return 1;
    }
    try {
        return faild::run_daemon(run_opts, std::vector<std::string>(argv, argv + argc));
    } catch (const std::exception& e) {  // before the loop runs: nothing installed yet
        std::cerr << "faild: fatal: " << e.what() << "\n";
        return 1;
    }
}
