// DOC: preflight — what faild checks of its surroundings before it starts:
// the files and programs the settings name, and the interfaces.
//
//   key-file   a regular file, mode 0600 (no group or other access), one or
//              two keys of at least 32 hex digits          -> error
//   notify     an absolute path to a regular file that may be executed -> error
//   log        syslog, stderr, or a file that can be appended to (or
//              created in a directory that can be written) -> error
//   interfaces each listed one exists                   -> warning (it may
//              come later: at boot, a VLAN or bond made after faild's check)
//
// `faild --check-config` prints every finding and exits 2 when one is an
// error; a start refuses on the same errors (exit 2), before anything on the
// network is touched. The checks reach the system only through the
// preflight_env they are given, so tests need no real files or interfaces.
#pragma once

#include "faild/core/options.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace faild {

/// What preflight needs to know about a path.
struct path_facts {
    bool exists = false;
    bool regular = false;
    bool directory = false;
    unsigned mode = 0;        ///< permission bits (07777)
    bool executable = false;  ///< access(X_OK)
    bool writable = false;    ///< access(W_OK): also false on a read-only file system
};

struct preflight_env {
    std::function<path_facts(const std::string& path)> stat;
    /// The file's contents, or nullopt when it cannot be read.
    std::function<std::optional<std::string>(const std::string& path)> read;
    /// The names of the interfaces that exist, or nullopt when they cannot be listed.
    std::function<std::optional<std::vector<std::string>>()> interfaces;
};

struct finding {
    bool error = false;  ///< false: a warning, the start goes on
    std::string text;    ///< one line, without "faild: "
};

std::vector<finding> preflight(const options& o, const preflight_env& env);

/// True when some finding is an error.
bool refuses(const std::vector<finding>& findings);

}  // namespace faild
