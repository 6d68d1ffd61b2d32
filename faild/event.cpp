#include "faild/event.hpp"

namespace faild {

event::event(std::string module_, severity level_, std::string_view name)
    : module(std::move(module_)), level(level_), text("event=") {
    text += name;
}

event& event::kv(std::string_view key, std::string_view value) {
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

event& event::raw(std::string_view fields) {
    if (!fields.empty()) {
        text += ' ';
        text += fields;
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
