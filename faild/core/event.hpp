// DOC: event — what the pure core says happened, as one key=value log line.
//
// The core never logs by itself: it returns events and the daemon hands them
// to Boost.Log under the event's module (one channel per module). A line is
// `event=<name> key=value ...`, greppable by a person, parsable by a program.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faild {

enum class severity { debug, info, warning, error };

struct event {
    std::string module;  ///< log channel: "path", "peer", "route", "wire", ...
    severity level = severity::info;
    std::string text;    ///< "event=path_down peer=h2 lan=eth0 ..."
    std::string name;    ///< "path_down"
    std::vector<std::pair<std::string, std::string>> fields;  ///< the key=value pairs after the name

    /// The value of `key`, or "" when absent.
    std::string get(std::string_view key) const;
    /// One JSON object: {"time":..., "module":..., "event":..., "key":"value", ...}.
    std::string to_json(const std::string& time) const;

    event(std::string module_, severity level_, std::string_view name);
    /// Appends " key=value"; values with spaces or quotes are quoted.
    event& kv(std::string_view key, std::string_view value);
    event& kv(std::string_view key, long long value);
    /// Appends pre-formatted " k=v k=v" text.
    event& raw(std::string_view fields);
};

using event_list = std::vector<event>;

const char* to_string(severity s);

/// Appends `s` as a JSON string literal (quoted, escaped).
void append_json_string(std::string& out, std::string_view s);

}  // namespace faild
