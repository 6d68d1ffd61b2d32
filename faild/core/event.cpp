#include "faild/core/event.hpp"

#include <cstdio>

namespace faild {

event::event(std::string module_, severity level_, std::string_view name_)
    : module(std::move(module_)), level(level_), text("event="), name(name_) {
    text += name_;
}

std::string event::get(std::string_view key) const {
    for (const auto& [k, v] : fields)
        if (k == key) return v;
    return "";
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += char(c);
        }
    }
    out += '"';
}

std::string event::to_json(const std::string& time) const {
    std::string out = "{\"time\":";
    append_json_string(out, time);
    out += ",\"module\":";
    append_json_string(out, module);
    out += ",\"level\":";
    append_json_string(out, to_string(level));
    out += ",\"event\":";
    append_json_string(out, name);
    for (const auto& [k, v] : fields) {
        out += ',';
        append_json_string(out, k);
        out += ':';
        append_json_string(out, v);
    }
    out += '}';
    return out;
}

event& event::kv(std::string_view key, std::string_view value) {
    fields.emplace_back(std::string(key), std::string(value));
    text += ' ';
    text += key;
    text += '=';
    bool plain = !value.empty() && value.find_first_of(" \t\"=\\\n") == std::string_view::npos;
    if (plain) {
        text += value;
        return *this;
    }
    text += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') text += '\\';
        text += c == '\n' ? ' ' : c;
    }
    text += '"';
    return *this;
}

event& event::kv(std::string_view key, long long value) { return kv(key, std::to_string(value)); }

event& event::raw(std::string_view kvs) {
    // Pre-formatted "k=v k=v" with plain values (no spaces).
    std::size_t pos = 0;
    while (pos < kvs.size()) {
        auto end = kvs.find(' ', pos);
        if (end == std::string_view::npos) end = kvs.size();
        auto item = kvs.substr(pos, end - pos);
        auto eq = item.find('=');
        if (eq != std::string_view::npos) kv(item.substr(0, eq), item.substr(eq + 1));
        pos = end + 1;
    }
    return *this;
}

const char* to_string(severity s) {
    switch (s) {
    case severity::debug: return "debug";
    case severity::info: return "info";
    case severity::warning: return "warning";
    case severity::error: return "error";
    }
    return "info";
}

}  // namespace faild
