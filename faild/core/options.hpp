// DOC: options — faild's settings: the original's command line, plus
// configuration files.
//
//   faild [-r] [-t SECONDS] [-f N] [-s N] [-p PORT] [-l LOGFILE]
//         [-i IF[,IF...]] [--node-id ID] [--loose-rp-filter] [-c FILE]
//         [--check-config] [-x PROGRAM] [--notify-timeout SECONDS]
//         [--control-socket PATH] [--dry-run] [-k KEYFILE] [--damping]
//         [--no-requestor] [--state-file PATH] [--wire-v1] [--table TABLE]
//         [--route-protocol N] [--realtime[=PRIO]] [--no-realtime]
//         [--lock-memory] [--require-realtime]
//
// Without -r and without a file that sets requestor = yes, faild only
// answers; --no-requestor undoes a file's requestor = yes.
//
// Files: -c FILE (default /etc/faild/faild.conf, which may be missing), then
// every *.conf in the conf.d/ directory beside it, in lexical order; lines
// `key = value` with the long options' names, `#` comments. Later files win
// over earlier ones, the command line over all files. Every value is checked
// the same way wherever it comes from, and an error names where it was
// (`file:line` or the option) and exits with status 2 — before anything on
// the network is touched. parse_options() reads files only through the
// config_fs it is given, so tests need no real files; so does the lookup of
// a routing table's name (table = NAME) in /etc/iproute2/rt_tables and
// rt_tables.d/*.conf (then /usr/share/iproute2/, as ip(8) reads them).
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/flap_damping.hpp"
#include "faild/core/keyring.hpp"
#include "faild/core/route.hpp"
#include "faild/core/wire.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace faild {

inline constexpr std::uint16_t default_port = 7793;
/// SCHED_RR priority by default: above every ordinary process, below the
/// kernel's threaded interrupts (50) and watchdogs (99).
inline constexpr int default_realtime_priority = 10;
/// Whether the binary runs real-time unless told (--realtime, realtime =).
/// Off: on a quiet host SCHED_RR costs about 1.4 x the CPU here (two
/// daemons at t = 0.1 on a 2-vCPU VM: the real-time wakeup path), and a
/// quiet host must pay no more than before. The packaged faild.conf turns
/// it on (realtime = 10), where a busy host's robustness is worth it.
inline constexpr bool realtime_by_default = false;
inline constexpr const char* default_config = "/etc/faild/faild.conf";

struct options {
    bool requestor = false;
    duration interval = ms(1000);
    unsigned fail_after = 3;
    unsigned up_after = 5;
    std::uint16_t port = default_port;
    std::string log_file;                 ///< empty: stderr; "syslog": syslog
    std::vector<std::string> interfaces;  ///< empty: every eligible interface
    std::string node_id;                  ///< empty: derived (see daemon.cpp)
    bool loose_rp_filter = false;         ///< set strict rp_filter (1) to loose (2) ourselves
    std::string notify;                   ///< hook program, empty: none
    duration notify_timeout = ms(10'000); ///< the hook is killed after this
    std::string control_socket;           ///< empty: the platform's default (per network namespace)
    std::uint32_t table = 254;            ///< the routing table of faild's routes (254: main)
    std::string table_name = "main";      ///< the table as configured (a name, or its number)
    int route_protocol = faild::route_protocol;  ///< the tag of faild's routes (route protocol number)
    bool dry_run = false;                 ///< log route changes instead of making them
    std::string key_file;                 ///< shared keys for authenticated probes, empty: none
    keyring keys;                         ///< loaded from key_file by main() (not by parse_options)
    damping_config damping;               ///< flap damping, off by default
    bool fast_confirm = true;             ///< re-probe at once after a missed ACK (see engine_config)
    duration fast_confirm_floor{0};       ///< the retry timeout's floor; zero: max(2 ms, interval / 10)
    bool mutual = true;                   ///< mutual rounds with other requestors (see engine_config)
    bool align_rounds = true;             ///< rounds at whole multiples of the interval on the wall clock
    bool unicast_inq = true;              ///< INQs by unicast to few known peers (see engine_config)
    std::uint32_t round_seq_limit = wire::max_round_seq;  ///< tests only (--test-round-seq-limit; see engine_config)
    std::string state_file;               ///< the address proofs across restarts; empty: default, "none": kept nowhere
    bool wire_v1 = false;                 ///< speak wire version 1 (a rolling upgrade; see engine_config)
    /// Real-time scheduling (SCHED_RR with SCHED_RESET_ON_FORK) at this
    /// priority, tried at start; 0: off. Best effort; off unless asked
    /// (realtime_by_default), on in the packaged faild.conf: a probe loop
    /// that is not woken in time under load misses its own deadlines
    /// (faild(8), "Real-time").
    int realtime_priority = realtime_by_default ? default_realtime_priority : 0;
    bool lock_memory = false;             ///< mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)
    bool require_realtime = false;        ///< exit 1 when realtime (or lock-memory, if set) cannot be had
    bool check_config = false;            ///< print the effective settings, run the preflight checks, exit
    std::string config_file = default_config;
    std::vector<std::string> config_files_read;  ///< for the log and --check-config
};

/// `log = syslog` (or -l syslog): the log goes to syslog, not to a file.
inline bool logs_to_syslog(const options& o) { return o.log_file == "syslog"; }
/// The most a configuration file may hold: /dev/zero, or a log file named
/// by mistake, must not be read without end.
inline constexpr std::size_t max_config_size = 1 << 20;

/// What config_fs::read found at a path.
struct config_text {
    std::optional<std::string> text;  ///< the contents, when they could be read
    std::string error;                ///< without text: why ("" when the file does not exist)
    config_text() = default;
    /// Found (the contents) or missing (nullopt), nothing else to say.
    config_text(std::optional<std::string> t) : text(std::move(t)) {}
    static config_text refused(std::string why) {
        config_text c;
        c.error = std::move(why);
        return c;
    }
};

/// How parse_options() reaches files.
struct config_fs {
    /// The file's contents; no text and no error when it does not exist,
    /// an error when something is there that cannot be a configuration
    /// file (a directory, a FIFO or device: never opened blocking nor read
    /// without end; more than max_config_size bytes; unreadable).
    std::function<config_text(const std::string& path)> read;
    /// Paths of the *.conf files in a directory, sorted; empty when none.
    std::function<std::vector<std::string>(const std::string& dir)> list_conf;
    /// The real file system.
    static config_fs real();
};

struct parse_result {
    std::optional<options> opts;  ///< set when the daemon should run (or, with check_config, be checked)
    int exit_code = 0;            ///< when opts is empty
    std::string out;              ///< for stdout (help, version, --check-config)
    std::string err;              ///< one line for stderr
};

parse_result parse_options(int argc, const char* const argv[], const config_fs& fs = config_fs::real());

/// The effective settings as `key = value` lines (what --check-config prints,
/// and a file faild would read back to the same settings).
std::string describe(const options& o);

/// "0.1" -> 100 ms. Accepts digits with up to 6 decimals; nullopt otherwise.
std::optional<duration> parse_seconds(const std::string& text);
/// Seconds as the shortest decimal text: 100 ms -> "0.1".
std::string format_seconds(duration d);

}  // namespace faild
