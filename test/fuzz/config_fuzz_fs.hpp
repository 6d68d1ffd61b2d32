// DOC: config_fuzz_fs — what the options fuzz targets share: an in-memory
// config_fs (test/memory_config_fs.hpp, as the options unit tests use) and the checks every
// parse_options() result must pass.
//
// Contract checked: parse_options() never throws; it either gives options
// (exit 0), or output for stdout and exit 0 (help, version, check-config),
// or exit 2 with one line for stderr that starts with "faild: ". A broken
// property aborts, which libFuzzer and replay_main report as a crash.
//
// FAILD_FUZZ_ALLOW_MULTILINE_ERRORS=1 in the environment turns off the
// one-line check only, so that a fuzzing run can look past that known finding
// (command-line values echoed with their newlines); replays never set it.
#pragma once

#include "faild/core/options.hpp"
#include "test/memory_config_fs.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace faild::fuzz {

/// Files by path (see test/memory_config_fs.hpp).
using memory_fs = test::memory_config_fs;

[[noreturn]] inline void broken(const char* target, const char* what, const std::string& detail) {
    std::fprintf(stderr, "%s: property broken: %s: [%s]\n", target, what, detail.c_str());
    std::abort();
}

/// parse_options() that aborts on an exception instead of letting it escape.
inline parse_result parse_or_abort(const char* target, int argc, const char* const argv[], const config_fs& fs) {
    try {
        return parse_options(argc, argv, fs);
    } catch (const std::exception& e) {
        broken(target, "parse_options threw", e.what());
    } catch (...) {
        broken(target, "parse_options threw", "a non-std exception");
    }
}

/// The result contract (see the DOC block).
inline void check_result(const char* target, const parse_result& r) {
    if (r.opts) {
        if (r.exit_code != 0 || !r.err.empty()) broken(target, "options together with an error", r.err);
        return;
    }
    if (r.exit_code == 0) {
        if (r.out.empty() || !r.err.empty()) broken(target, "exit 0 without options or output", r.err);
        return;
    }
    if (r.exit_code != 2) broken(target, "error exit status is not 2", std::to_string(r.exit_code));
    if (r.err.rfind("faild: ", 0) != 0) broken(target, "error does not start with 'faild: '", r.err);
    static const bool allow_multiline = [] {
        const char* v = std::getenv("FAILD_FUZZ_ALLOW_MULTILINE_ERRORS");
        return v && std::string(v) == "1";
    }();
    if (!allow_multiline && r.err.find('\n') != std::string::npos)
        broken(target, "error is more than one line", r.err);
}

}  // namespace faild::fuzz
