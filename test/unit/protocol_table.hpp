// The transition tables of PROTOCOL.md, read for the tests that walk a
// machine's every (state, event) pair against them.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace faild::test {

/// The transition table in PROTOCOL.md's section `heading` (the first
/// table under it): rows by state, columns by event.
inline std::map<std::string, std::map<std::string, std::string>> documented_table(const std::string& heading) {
    std::ifstream f(std::string(FAILD_SOURCE_DIR) + "/faild/doc/PROTOCOL.md");
    REQUIRE(f);
    std::string line;
    bool in_section = false;
    std::vector<std::string> events;
    std::map<std::string, std::map<std::string, std::string>> table;
    auto cells = [](const std::string& l) {
        std::vector<std::string> out;
        std::stringstream ss(l);
        std::string cell;
        std::getline(ss, cell, '|');  // before the first bar
        while (std::getline(ss, cell, '|')) {
            const auto a = cell.find_first_not_of(" `"), b = cell.find_last_not_of(" `");
            out.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
        }
        if (!out.empty() && out.back().empty()) out.pop_back();
        return out;
    };
    while (std::getline(f, line)) {
        if (line.rfind(heading, 0) == 0) in_section = true;
        else if (in_section && line.rfind("#", 0) == 0) break;
        if (!in_section || line.rfind("|", 0) != 0) continue;
        auto c = cells(line);
        if (c.empty() || c[0].find("---") != std::string::npos) continue;
        if (events.empty()) {
            events.assign(c.begin() + 1, c.end());
            continue;
        }
        for (std::size_t i = 1; i < c.size() && i <= events.size(); ++i) table[c[0]][events[i - 1]] = c[i];
    }
    return table;
}

}  // namespace faild::test
