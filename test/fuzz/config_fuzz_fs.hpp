// DOC: config_fuzz_fs — what the options fuzz targets share: an in-memory
// config_fs (as test/unit/options_test.cpp's fake_fs) and the checks every
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

#include "faild/options.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faild::fuzz {

/// Files by path; list_conf lists the *.conf directly inside a directory.
struct memory_fs {
    std::map<std::string, std::string> files;
    config_fs fs() const {
        config_fs f;
        f.read = [this](const std::string& p) -> std::optional<std::string> {
            auto it = files.find(p);
            if (it == files.end()) return std::nullopt;
            return it->second;
        };
        f.list_conf = [this](const std::string& dir) {
            std::vector<std::string> out;
            for (const auto& entry : files) {
                const std::string& path = entry.first;
                if (path.rfind(dir + "/", 0) == 0 && path.size() > dir.size() + 6 &&
                    path.compare(path.size() - 5, 5, ".conf") == 0 &&
                    path.find('/', dir.size() + 1) == std::string::npos)
                    out.push_back(path);
            }
            return out;  // std::map: sorted
        };
        return f;
    }
};

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
