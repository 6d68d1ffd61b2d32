// DOC: memory_config_fs — an in-memory config_fs for tests: the unit tests
// of the options and the fuzz targets read their faild.conf and conf.d/
// from it instead of the disk.
#pragma once

#include "faild/core/options.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faild::test {

/// Files by path; list_conf lists the *.conf directly inside a directory.
struct memory_config_fs {
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

}  // namespace faild::test
