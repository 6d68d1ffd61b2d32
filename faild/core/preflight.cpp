#include "faild/core/preflight.hpp"

#include "faild/core/keyring.hpp"

#include <algorithm>

namespace faild {

namespace {

std::string octal(unsigned mode) {
    std::string s;
    for (int shift = 9; shift >= 0; shift -= 3) s += char('0' + ((mode >> shift) & 7));
    return s;
}

void check_key_file(const std::string& path, const preflight_env& env, std::vector<finding>& out) {
    const path_facts f = env.stat(path);
    if (!f.exists) return out.push_back({true, "key file '" + path + "' does not exist"});
    if (!f.regular) return out.push_back({true, "key file '" + path + "' is not a regular file"});
    if (f.mode & 077)
        return out.push_back({true, "key file '" + path + "' is accessible by group or others (mode " +
                                        octal(f.mode) + "): chmod 600 '" + path + "'"});
    auto text = env.read(path);
    if (!text) return out.push_back({true, "cannot read key file '" + path + "'"});
    keyring keys;
    std::string error;
    if (!keys.parse(*text, path, error)) out.push_back({true, "key file " + error});
}

void check_notify(const std::string& program, const preflight_env& env, std::vector<finding>& out) {
    const path_facts f = env.stat(program);
    if (!f.exists) return out.push_back({true, "notify program '" + program + "' does not exist"});
    if (!f.regular) return out.push_back({true, "notify program '" + program + "' is not a regular file"});
    if (!f.executable || !(f.mode & 0111))
        out.push_back({true, "notify program '" + program + "' is not executable: chmod +x '" + program + "'"});
}

void check_log(const std::string& file, const preflight_env& env, std::vector<finding>& out) {
    const path_facts f = env.stat(file);
    if (f.exists) {
        if (f.directory) return out.push_back({true, "log file '" + file + "' is a directory"});
        if (!f.writable) out.push_back({true, "log file '" + file + "' cannot be written"});
        return;
    }
    auto slash = file.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
    const path_facts d = env.stat(dir);
    if (!d.exists) return out.push_back({true, "log file '" + file + "': directory '" + dir + "' does not exist"});
    if (!d.directory) return out.push_back({true, "log file '" + file + "': '" + dir + "' is not a directory"});
    if (!d.writable)
        out.push_back({true, "log file '" + file + "' cannot be created: directory '" + dir + "' cannot be written"});
}

void check_interfaces(const std::vector<std::string>& wanted, const preflight_env& env, std::vector<finding>& out) {
    if (wanted.empty()) return;
    auto present = env.interfaces();
    if (!present) return out.push_back({false, "cannot list the interfaces; not checked"});
    for (const auto& name : wanted)
        if (std::find(present->begin(), present->end(), name) == present->end())
            out.push_back({false, "interface '" + name + "' does not exist (yet): faild will not start until it does"});
}

}  // namespace

std::vector<finding> preflight(const options& o, const preflight_env& env) {
    std::vector<finding> out;
    if (!o.key_file.empty()) check_key_file(o.key_file, env, out);
    if (!o.notify.empty()) check_notify(o.notify, env, out);
    if (!o.log_file.empty() && !logs_to_syslog(o)) check_log(o.log_file, env, out);
    check_interfaces(o.interfaces, env, out);
    return out;
}

bool refuses(const std::vector<finding>& findings) {
    return std::any_of(findings.begin(), findings.end(), [](const finding& f) { return f.error; });
}

}  // namespace faild
