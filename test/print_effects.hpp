// How doctest shows effects when a check fails: as the log line the
// formatter makes of each. Only for reading a failure; the checks compare
// the typed values.
#pragma once

#include "faild/core/effects.hpp"
#include "faild/daemon/effect_log.hpp"

#include <doctest/doctest.h>

namespace doctest {

template <>
struct StringMaker<faild::effect> {
    static String convert(const faild::effect& e) { return faild::to_event(e).text.c_str(); }
};

template <>
struct StringMaker<faild::effect_list> {
    static String convert(const faild::effect_list& list) {
        std::string s = "{";
        for (const auto& e : list) s += "\n  " + faild::to_event(e).text;
        return (s + (list.empty() ? "}" : "\n}")).c_str();
    }
};

}  // namespace doctest
