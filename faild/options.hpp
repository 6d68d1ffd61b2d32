// DOC: options — faild's command line, the original's contract plus additions.
//
//   faild [-r] [-t SECONDS] [-f N] [-s N] [-p PORT] [-l LOGFILE]
//         [-i IF[,IF...]] [--node-id ID] [--loose-rp-filter]
//
// parse_options() validates everything it can without touching the system
// and returns either settings or what to print and the exit status (0 for
// --help/--version, 2 for any bad value, with one line naming the problem).
#pragma once

#include "faild/clock.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faild {

inline constexpr std::uint16_t default_port = 7793;

struct options {
    bool requestor = false;
    duration interval = ms(1000);
    unsigned fail_after = 3;
    unsigned up_after = 5;
    std::uint16_t port = default_port;
    std::string log_file;                 ///< empty: stderr
    std::vector<std::string> interfaces;  ///< empty: every eligible interface
    std::string node_id;                  ///< empty: derived (see daemon.cpp)
    bool loose_rp_filter = false;         ///< set strict rp_filter (1) to loose (2) ourselves
};

struct parse_result {
    std::optional<options> opts;  ///< set when the daemon should run
    int exit_code = 0;            ///< when opts is empty
    std::string out;              ///< for stdout (help, version)
    std::string err;              ///< one line for stderr
};

parse_result parse_options(int argc, const char* const argv[]);

/// "0.1" -> 100 ms. Accepts digits with up to 6 decimals; nullopt otherwise.
std::optional<duration> parse_seconds(const std::string& text);
/// Seconds as the shortest decimal text: 100 ms -> "0.1".
std::string format_seconds(duration d);

}  // namespace faild
