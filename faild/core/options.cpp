#include "faild/core/options.hpp"

#include "faild/core/wire.hpp"

#include <boost/program_options.hpp>


#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>  // paths as text only: the files are read through config_fs
#include <map>
#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace faild {

namespace {

constexpr unsigned max_count = 1000;

/// A setting's raw text and where it came from ("-t", "faild.conf:7").
struct raw {
    std::string value;
    std::string origin;
};
using raw_settings = std::map<std::string, raw>;

/// Keys that take no value on the command line; in files: yes/no.
const std::set<std::string> switches = {"requestor", "loose-rp-filter", "dry-run", "damping", "wire-v1",
                                        "lock-memory", "require-realtime"};
/// Keys valid in files (every long option that is a setting).
const std::set<std::string> file_keys = {"requestor", "interval",      "fail",           "succeed",
                                         "port",      "log",           "interfaces",     "node-id",
                                         "loose-rp-filter", "notify",  "notify-timeout", "control-socket",
                                         "dry-run",   "key-file",      "damping",        "damping-penalty",
                                         "damping-half-life", "damping-suppress", "damping-reuse",
                                         "fast-confirm", "fast-confirm-floor", "mutual",
                                         "align-rounds", "unicast-inq", "state-file", "wire-v1", "table",
                                         "route-protocol", "realtime", "lock-memory", "require-realtime"};
/// How each key is written on the command line, for messages.
const std::map<std::string, std::string> flag_of = {
    {"requestor", "-r"}, {"interval", "-t"}, {"fail", "-f"}, {"succeed", "-s"}, {"port", "-p"},
    {"log", "-l"},       {"interfaces", "-i"}, {"notify", "-x"}, {"config", "-c"}, {"key-file", "-k"}};

std::optional<unsigned long> parse_uint(const std::string& s, unsigned long max) {
    if (s.empty() || s.size() > 10) return std::nullopt;
    unsigned long v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + unsigned(c - '0');
    }
    if (v > max) return std::nullopt;
    return v;
}

std::optional<bool> parse_bool(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (s == "yes" || s == "true" || s == "on" || s == "1") return true;
    if (s == "no" || s == "false" || s == "off" || s == "0") return false;
    return std::nullopt;
}

bool valid_ifname(const std::string& s) {
    if (s.empty() || s.size() > 15) return false;
    for (char c : s)
        if (c == '/' || c == ':' || c == ',' || c <= ' ' || c == 127) return false;
    return true;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

parse_result fail(const std::string& what) {
    parse_result r;
    r.exit_code = 2;
    // One line, whatever the operator (or a fuzzer) typed: control
    // characters in a quoted value become '?'.
    std::string clean = what;
    for (char& c : clean)
        if ((unsigned char)c < 0x20 || c == 0x7f) c = '?';
    r.err = "faild: " + clean + " (see faild --help)";
    return r;
}

/// "faild.conf:7: " or "" for the command line (the message names the flag).
std::string where(const raw& r) { return r.origin.find(':') != std::string::npos ? r.origin + ": " : ""; }

/// A value without one pair of matching quotes around it ("eth0,eth1" or
/// 'eth0,eth1' -> eth0,eth1), as an operator used to shell variables or
/// systemd's files writes it; nullopt when a quote at either end has no
/// partner at the other.
std::optional<std::string> unquote(const std::string& v) {
    auto quote = [](char c) { return c == '"' || c == '\''; };
    if (v.empty() || (!quote(v.front()) && !quote(v.back()))) return v;
    if (v.size() >= 2 && v.front() == v.back()) return v.substr(1, v.size() - 2);
    return std::nullopt;
}

/// Reads one config file into `into`; an error text, or "".
std::string read_file(const std::string& path, const std::string& text, raw_settings& into) {
    if (text.size() > max_config_size)
        return path + ": larger than " + std::to_string(max_config_size >> 20) + " MiB: not a configuration file";
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.find('\0') != std::string::npos)
            return path + ":" + std::to_string(n) + ": a NUL byte: not a text file";
        auto hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        line = trim(line);
        if (line.empty()) continue;
        std::string at = path + ":" + std::to_string(n);
        auto eq = line.find('=');
        if (eq == std::string::npos) return at + ": expected 'key = value', not '" + line + "'";
        std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
        if (!file_keys.count(key)) return at + ": unknown key '" + key + "'";
        auto unquoted = unquote(value);
        if (!unquoted) return at + ": unbalanced quote in the value of '" + key + "': " + value;
        value = *unquoted;
        if (value.empty()) return at + ": no value for '" + key + "'";
        into[key] = {value, at};
    }
    return "";
}

const char* usage_text =
    "Usage: faild [-r] [-t SECONDS] [-f N] [-s N] [-p PORT] [-l LOGFILE] [-i IF[,IF...]] [--node-id ID]\n"
    "             [--loose-rp-filter] [-c FILE] [--check-config] [-x PROGRAM] [--notify-timeout SECONDS]\n"
    "             [--control-socket PATH] [--dry-run] [-k KEYFILE] [--damping]\n"
    "             [--no-fast-confirm] [--fast-confirm-floor SECONDS] [--no-mutual]\n"
    "             [--no-align-rounds] [--no-unicast-inq] [--no-requestor] [--state-file PATH]\n"
    "             [--wire-v1] [--table TABLE] [--route-protocol N] [--realtime[=PRIO]] [--no-realtime]\n"
    "             [--lock-memory] [--require-realtime]\n"
    "Keeps multi-homed hosts talking when one of their LANs fails: probes every\n"
    "LAN, and routes a peer's addresses on a dead LAN via a live one.\n";

/// A table or protocol number: decimal, or hex with 0x (as in rt_tables).
std::optional<std::uint32_t> parse_number(const std::string& s) {
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (s.size() > 10) return std::nullopt;
        std::uint32_t v = 0;
        for (char c : s.substr(2)) {
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return std::nullopt;
            v = v * 16 + std::uint32_t(d);
        }
        return v;
    }
    auto v = parse_uint(s, 0xffffffffu);
    if (!v) return std::nullopt;
    return std::uint32_t(*v);
}

/// A routing table's number by name: the kernel's own names, then the
/// `NUMBER NAME` lines of rt_tables and rt_tables.d/*.conf, as ip(8) reads
/// them (/etc/iproute2, or /usr/share/iproute2 where /etc has none).
std::optional<std::uint32_t> table_by_name(const std::string& name, const config_fs& fs) {
    if (name == "main") return 254;
    if (name == "default") return 253;
    if (name == "local") return 255;
    if (name == "unspec") return 0;
    std::optional<std::uint32_t> found;
    auto scan = [&](const std::string& text) {
        std::istringstream in(text);
        std::string line;
        while (std::getline(in, line)) {
            line = line.substr(0, line.find('#'));
            std::istringstream fields(line);
            std::string number, label;
            if (!(fields >> number >> label) || label != name) continue;
            if (auto n = parse_number(number)) found = n;  // a later line wins, as in ip(8)
        }
    };
    for (const char* dir : {"/etc/iproute2", "/usr/share/iproute2"}) {
        auto main_file = fs.read(std::string(dir) + "/rt_tables");
        if (main_file.text) scan(*main_file.text);
        for (const auto& path : fs.list_conf(std::string(dir) + "/rt_tables.d"))
            if (auto text = fs.read(path).text) scan(*text);
        if (found || main_file.text) break;
    }
    return found;
}

/// The raw settings as check_settings() reads them.
struct setting_reader {
    const raw_settings& s;
    /// The setting of `key`, or nullptr when nothing set it.
    const raw* get(const char* key) const {
        auto it = s.find(key);
        return it == s.end() ? nullptr : &it->second;
    }
    /// How the message names the setting: its flag on the command line, its
    /// key in a file (whose file:line then starts the message).
    std::string name(const char* key, const raw& r) const {
        auto f = flag_of.find(key);
        return std::string(f != flag_of.end() && r.origin.find(':') == std::string::npos ? f->second : key);
    }
};

std::string check_switches(const setting_reader& in, options& o) {
    for (auto [key, into] : {std::pair<const char*, bool*>{"requestor", &o.requestor},
                             {"loose-rp-filter", &o.loose_rp_filter},
                             {"dry-run", &o.dry_run},
                             {"damping", &o.damping.enabled},
                             {"fast-confirm", &o.fast_confirm},
                             {"mutual", &o.mutual},
                             {"align-rounds", &o.align_rounds},
                             {"unicast-inq", &o.unicast_inq},
                             {"wire-v1", &o.wire_v1},
                             {"lock-memory", &o.lock_memory},
                             {"require-realtime", &o.require_realtime}}) {
        const raw* r = in.get(key);
        if (!r) continue;
        auto b = parse_bool(r->value);
        if (!b) return where(*r) + "invalid value for " + key + " '" + r->value + "': expected yes or no";
        *into = *b;
    }
    return "";
}

/// Damping's numbers and half-life, then fast confirmation's floor, then
/// whether damping's thresholds make sense together (in that order: the
/// first error found is the one reported).
std::string check_damping(const setting_reader& in, options& o) {
    for (auto [key, into] : {std::pair<const char*, double*>{"damping-penalty", &o.damping.penalty},
                             {"damping-suppress", &o.damping.suppress},
                             {"damping-reuse", &o.damping.reuse}}) {
        const raw* r = in.get(key);
        if (!r) continue;
        auto n = parse_uint(r->value, 1'000'000);
        if (!n || *n == 0) return where(*r) + "invalid " + key + " '" + r->value + "': expected a whole number 1 to 1000000";
        *into = double(*n);
    }
    if (const raw* r = in.get("damping-half-life")) {
        auto d = parse_seconds(r->value);
        if (!d || *d < ms(1000) || *d > ms(3'600'000))
            return where(*r) + "invalid damping-half-life '" + r->value + "': expected 1 to 3600 seconds";
        o.damping.half_life = *d;
    }
    if (const raw* r = in.get("fast-confirm-floor")) {
        auto d = parse_seconds(r->value);
        if (!d || *d < ms(1) || *d > ms(3'600'000))
            return where(*r) + "invalid fast-confirm-floor '" + r->value + "': expected 0.001 to 3600 seconds";
        o.fast_confirm_floor = *d;
    }
    if (o.damping.reuse >= o.damping.suppress)
        return "damping-reuse (" + std::to_string(long(o.damping.reuse)) + ") must be below damping-suppress (" +
               std::to_string(long(o.damping.suppress)) + ")";
    o.damping.ceiling = std::max(o.damping.ceiling, o.damping.suppress * 2);
    return "";
}

/// The original's settings: -t, -f, -s, -p.
std::string check_probing(const setting_reader& in, options& o) {
    if (const raw* r = in.get("interval")) {
        auto d = parse_seconds(r->value);
        const std::string said = "interval " + in.name("interval", *r) + " '" + r->value + "'";
        if (!d) return where(*r) + "invalid " + said + ": expected seconds such as 1 or 0.05";
        if (*d < ms(10)) return where(*r) + said + " is too short: the minimum is 0.01 seconds";
        if (*d > ms(3'600'000)) return where(*r) + said + " is too long: the maximum is 3600 seconds";
        o.interval = *d;
    }
    for (auto [key, into] : {std::pair<const char*, unsigned*>{"fail", &o.fail_after}, {"succeed", &o.up_after}}) {
        const raw* r = in.get(key);
        if (!r) continue;
        auto n = parse_uint(r->value, max_count);
        if (!n || *n == 0)
            return where(*r) + "invalid count " + in.name(key, *r) + " '" + r->value + "': expected a whole number from 1 to 1000";
        *into = unsigned(*n);
    }
    if (const raw* r = in.get("port")) {
        auto n = parse_uint(r->value, 65535);
        if (!n || *n == 0) return where(*r) + "invalid port " + in.name("port", *r) + " '" + r->value + "': expected 1 to 65535";
        o.port = std::uint16_t(*n);
    }
    return "";
}

/// -i: names, each once, in the order of preference.
std::string check_interfaces(const setting_reader& in, options& o) {
    const raw* r = in.get("interfaces");
    if (!r) return "";
    const std::string said = in.name("interfaces", *r) + " '" + r->value + "'";
    std::set<std::string> seen;
    std::stringstream ss(r->value);
    std::string ifname;
    while (std::getline(ss, ifname, ',')) {
        ifname = trim(ifname);
        if (!valid_ifname(ifname)) return where(*r) + "invalid interface name '" + ifname + "' in " + said;
        if (!seen.insert(ifname).second) return where(*r) + "interface '" + ifname + "' listed twice in " + said;
        o.interfaces.push_back(ifname);
    }
    if (o.interfaces.empty() || r->value.back() == ',') return where(*r) + "invalid interface list " + said;
    return "";
}

/// -l, -i, --node-id.
std::string check_identity(const setting_reader& in, options& o) {
    if (const raw* r = in.get("log")) {
        if (r->value.empty()) return where(*r) + "empty log file name " + in.name("log", *r) + " ''";
        // "stderr" (or "-") undoes a log file set by an earlier file.
        o.log_file = r->value == "stderr" || r->value == "-" ? "" : r->value;
    }
    if (auto err = check_interfaces(in, o); !err.empty()) return err;
    if (const raw* r = in.get("node-id")) {
        if (!wire::valid_node_id(r->value))
            return where(*r) + "invalid node id '" + r->value + "': expected 1-32 of [A-Za-z0-9._:-]";
        o.node_id = r->value;
    }
    return "";
}

/// The files and programs faild uses: notify (and its timeout), key file,
/// control socket, state file.
std::string check_paths(const setting_reader& in, options& o) {
    if (const raw* r = in.get("notify")) {
        if (r->value.empty() || r->value[0] != '/')
            return where(*r) + "notify program '" + r->value + "' must be an absolute path";
        o.notify = r->value;
    }
    if (const raw* r = in.get("notify-timeout")) {
        auto d = parse_seconds(r->value);
        if (!d || *d < ms(10) || *d > ms(3'600'000))
            return where(*r) + "invalid notify-timeout '" + r->value + "': expected 0.01 to 3600 seconds";
        o.notify_timeout = *d;
    }
    if (const raw* r = in.get("key-file")) {
        if (r->value.empty() || r->value[0] != '/') return where(*r) + "key file '" + r->value + "' must be an absolute path";
        o.key_file = r->value;
    }
    if (const raw* r = in.get("control-socket")) {
        if (r->value.empty() || r->value[0] != '/' || r->value.size() > 100)
            return where(*r) + "control-socket '" + r->value + "' must be an absolute path of at most 100 bytes";
        o.control_socket = r->value;
    }
    if (const raw* r = in.get("state-file")) {
        if (r->value != "none" && (r->value.empty() || r->value[0] != '/' || r->value.size() > 4000))
            return where(*r) + "state-file '" + r->value + "' must be an absolute path, or none";
        o.state_file = r->value;
    }
    return "";
}

/// Where faild's routes go and how they are tagged: --table, --route-protocol.
std::string check_routes(const setting_reader& in, options& o, const config_fs& fs) {
    if (const raw* r = in.get("table")) {
        auto n = parse_number(r->value);
        if (!n && (r->value.empty() || !std::isdigit(static_cast<unsigned char>(r->value[0]))))
            n = table_by_name(r->value, fs);
        if (!n)
            return where(*r) + "unknown routing table '" + r->value +
                   "': expected a number (1 to 4294967295) or a name from /etc/iproute2/rt_tables or rt_tables.d";
        if (*n == 0 || *n == 255)
            return where(*r) + "routing table '" + r->value + "' (" + std::to_string(*n) +
                   ") cannot hold faild's routes: " + (*n == 0 ? "0 is no table" : "the local table is the kernel's");
        o.table = *n;
        o.table_name = r->value;
    }
    if (const raw* r = in.get("route-protocol")) {
        auto n = parse_uint(r->value, 255);
        if (!n || *n < 5)
            return where(*r) + "invalid route-protocol '" + r->value +
                   "': expected 5 to 255 (0 to 4 are the kernel's: unspec, redirect, kernel, boot, static)";
        o.route_protocol = int(*n);
    }
    return "";
}

/// --realtime: yes, no, or a SCHED_RR priority 1 to 99.
std::string check_realtime(const setting_reader& in, options& o) {
    const raw* r = in.get("realtime");
    if (!r) return "";
    if (auto b = parse_bool(r->value); b && r->value != "1" && r->value != "0") {
        o.realtime_priority = *b ? default_realtime_priority : 0;
        return "";
    }
    auto n = parse_uint(r->value, 99);
    if (!n || *n == 0)
        return where(*r) + "invalid realtime '" + r->value + "': expected yes, no or a priority from 1 to 99";
    o.realtime_priority = int(*n);
    return "";
}

/// Checks every setting and fills `o`; an error text (the first one found,
/// in this order), or "".
std::string check_settings(const raw_settings& s, options& o, const config_fs& fs) {
    const setting_reader in{s};
    for (auto check : {check_switches, check_damping, check_probing, check_identity, check_paths, check_realtime})
        if (auto err = check(in, o); !err.empty()) return err;
    return check_routes(in, o, fs);
}

}  // namespace

std::optional<duration> parse_seconds(const std::string& text) {
    auto dot = text.find('.');
    std::string whole = text.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
    if ((whole.empty() && frac.empty()) || frac.size() > 6 || (dot != std::string::npos && frac.empty()))
        return std::nullopt;
    if (whole.empty()) whole = "0";
    auto w = parse_uint(whole, 1'000'000);
    if (!w) return std::nullopt;
    unsigned long f = 0;
    if (!frac.empty()) {
        auto fv = parse_uint(frac, 999'999);
        if (!fv) return std::nullopt;
        f = *fv;
        for (std::size_t i = frac.size(); i < 6; ++i) f *= 10;
    }
    return duration(static_cast<long long>(*w) * 1'000'000 + static_cast<long long>(f));
}

std::string format_seconds(duration d) {
    long long us = d.count();
    std::string s = std::to_string(us / 1'000'000);
    long long frac = us % 1'000'000;
    if (frac) {
        std::string f = std::to_string(frac);
        f.insert(0, 6 - f.size(), '0');
        while (!f.empty() && f.back() == '0') f.pop_back();
        s += "." + f;
    }
    return s;
}

std::string describe(const options& o) {
    std::ostringstream os;
    std::string ifs;
    for (const auto& i : o.interfaces) ifs += (ifs.empty() ? "" : ",") + i;
    os << "# files read: ";
    if (o.config_files_read.empty()) os << "none";
    for (std::size_t i = 0; i < o.config_files_read.size(); ++i) os << (i ? ", " : "") << o.config_files_read[i];
    os << "\n";
    os << "requestor = " << (o.requestor ? "yes" : "no") << "\n";
    os << "interval = " << format_seconds(o.interval) << "\n";
    os << "fail = " << o.fail_after << "\n";
    os << "succeed = " << o.up_after << "\n";
    os << "port = " << o.port << "\n";
    os << (o.log_file.empty() ? "# log = (stderr)" : "log = " + o.log_file) << "\n";
    os << (ifs.empty() ? "# interfaces = (every eligible interface)" : "interfaces = " + ifs) << "\n";
    os << (o.node_id.empty() ? "# node-id = (derived from the hostname and machine)" : "node-id = " + o.node_id)
       << "\n";
    os << "loose-rp-filter = " << (o.loose_rp_filter ? "yes" : "no") << "\n";
    os << (o.notify.empty() ? "# notify = (none)" : "notify = " + o.notify) << "\n";
    os << "notify-timeout = " << format_seconds(o.notify_timeout) << "\n";
    os << (o.control_socket.empty() ? "# control-socket = (/run/faild/control, per network namespace)"
                                    : "control-socket = " + o.control_socket)
       << "\n";
    os << "dry-run = " << (o.dry_run ? "yes" : "no") << "\n";
    os << (o.key_file.empty() ? "# key-file = (none: probes are not authenticated)" : "key-file = " + o.key_file)
       << "\n";
    os << "damping = " << (o.damping.enabled ? "yes" : "no") << "\n";
    os << "damping-penalty = " << long(o.damping.penalty) << "\n";
    os << "damping-half-life = " << format_seconds(o.damping.half_life) << "\n";
    os << "damping-suppress = " << long(o.damping.suppress) << "\n";
    os << "damping-reuse = " << long(o.damping.reuse) << "\n";
    os << "fast-confirm = " << (o.fast_confirm ? "yes" : "no") << "\n";
    os << (o.fast_confirm_floor.count() == 0 ? "# fast-confirm-floor = (max(0.002, interval / 10))"
                                             : "fast-confirm-floor = " + format_seconds(o.fast_confirm_floor))
       << "\n";
    os << "mutual = " << (o.mutual ? "yes" : "no") << "\n";
    os << "align-rounds = " << (o.align_rounds ? "yes" : "no") << "\n";
    os << "unicast-inq = " << (o.unicast_inq ? "yes" : "no") << "\n";
    os << (o.state_file.empty() ? "# state-file = (the control socket's path with .state)"
                                : "state-file = " + o.state_file)
       << "\n";
    os << "wire-v1 = " << (o.wire_v1 ? "yes" : "no") << "\n";
    os << "table = " << o.table_name << "\n";
    os << "route-protocol = " << o.route_protocol << "\n";
    os << "realtime = " << (o.realtime_priority ? std::to_string(o.realtime_priority) : "no") << "\n";
    os << "lock-memory = " << (o.lock_memory ? "yes" : "no") << "\n";
    os << "require-realtime = " << (o.require_realtime ? "yes" : "no") << "\n";
    return os.str();
}

namespace {

/// --help's first part: the original's options, files, the hook, the
/// control socket, dry run.
void add_main_options(po::options_description& desc) {
    desc.add_options()
        ("help,h", "print this help and exit")
        ("version,V", "print the version and exit")
        ("requestor,r", "send INQ probes (without -r: only answer them)")
        ("no-requestor", "only answer INQ probes, also where a configuration file says requestor = yes")
        ("interval,t", po::value<std::string>()->value_name("SECONDS"),
         "probe interval in seconds, fractions allowed: 0.01 to 3600 (default 1)")
        ("fail,f", po::value<std::string>()->value_name("N"),
         "consecutive missed probes that take a path down, 1-1000 (default 3)")
        ("succeed,s", po::value<std::string>()->value_name("N"),
         "consecutive good probes that bring a path back up, 1-1000 (default 5)")
        ("port,p", po::value<std::string>()->value_name("PORT"), "UDP port, 1-65535 (default 7793)")
        ("log,l", po::value<std::string>()->value_name("LOGFILE"),
         "log to this file (SIGUSR1 reopens it), or to syslog with -l syslog (default: stderr)")
        ("interfaces,i", po::value<std::string>()->value_name("IF[,IF...]"),
         "monitor exactly these interfaces, most preferred first (default: every interface that is up, "
         "not loopback, with an IPv4 or global IPv6 address, in ifindex order)")
        ("node-id", po::value<std::string>()->value_name("ID"),
         "this host's node id: 1-32 of [A-Za-z0-9._:-] (default: hostname plus a hash of "
         "/etc/machine-id and the monitored interfaces' MAC addresses)")
        ("loose-rp-filter", "where a monitored interface filters reverse paths strictly (rp_filter 1), "
                            "set it to loose (2) instead of refusing to start")
        ("config,c", po::value<std::string>()->value_name("FILE"),
         "configuration file (default /etc/faild/faild.conf, may be missing), then conf.d/*.conf beside it")
        ("check-config", "check the configuration, print the effective settings and exit")
        ("notify,x", po::value<std::string>()->value_name("PROGRAM"),
         "run PROGRAM on path down/up, failover, switchback, peer lost (see faild(8))")
        ("notify-timeout", po::value<std::string>()->value_name("SECONDS"),
         "kill the notify program after this long (default 10)")
        ("control-socket", po::value<std::string>()->value_name("PATH"),
         "Unix socket for faildctl (default /run/faild/control)")
        ("dry-run", "probe and decide as usual, but log route changes instead of making them");
}

/// --help's second part: damping, probing's fine points, the routing
/// table, keys, the state file, the wire version.
void add_tuning_options(po::options_description& desc) {
    desc.add_options()
        ("damping", "damp flapping paths: a path that goes down too often is routed around until it "
                    "calms down (penalty, half-life, suppress and reuse: see faild.conf(5))")
        ("no-fast-confirm", "after a missed ACK, wait for the next round instead of probing again at once "
                            "(fast confirmation, on by default: see faild(8))")
        ("fast-confirm-floor", po::value<std::string>()->value_name("SECONDS"),
         "fast confirmation's shortest retry timeout (default: max(0.002, interval / 10))")
        ("no-mutual", "ACK every INQ, also another requestor's (mutual rounds, on by default, halve "
                      "the datagrams between requestors: see faild(8))")
        ("no-align-rounds", "start rounds when faild starts, not at whole multiples of the interval on the "
                            "wall clock (aligned, the default, requestors send together: see faild(8))")
        ("no-unicast-inq", "broadcast (multicast) every round's INQ; by default, while a LAN has at most 4 "
                           "known peers, INQs go to each by unicast but every 16th (see faild(8))")
        ("table", po::value<std::string>()->value_name("TABLE"),
         "put faild's routes into this routing table, by number or by name from /etc/iproute2/rt_tables "
         "(default main; for another, the operator adds the `ip rule` that consults it: see faild(8))")
        ("route-protocol", po::value<std::string>()->value_name("N"),
         "tag faild's routes with this route protocol number, 5-255 (default 250); faild adopts, repairs "
         "and removes only routes with its own tag in its own table")
        ("key-file,k", po::value<std::string>()->value_name("KEYFILE"),
         "authenticate every probe with HMAC-SHA256 under the key(s) in KEYFILE (hex, mode 0600)")
        ("state-file", po::value<std::string>()->value_name("PATH"),
         "where the address proofs are kept across a restart, or none (default: the control "
         "socket's path with .state)")
        ("wire-v1", "speak wire version 1, for a rolling upgrade from a faild before 2.0 (see faild(8))")
        ("realtime", po::value<std::string>()->value_name("PRIO")->implicit_value("yes"),
         "real-time scheduling (SCHED_RR, not inherited by the notify program) at priority PRIO, 1-99; "
         "best effort: logged when it cannot be had; off by default, PRIO 10 when not given (see faild(8))")
        ("no-realtime", "run under the ordinary scheduler (SCHED_OTHER)")
        ("lock-memory", "lock faild's memory (mlockall) so it is never paged out (needs CAP_IPC_LOCK or "
                        "a large enough RLIMIT_MEMLOCK)")
        ("require-realtime", "exit (status 1) when real-time scheduling, or the memory lock with "
                             "--lock-memory, cannot be had, instead of logging it and running without");
}

/// Boost.Program_options fills '%name%' placeholders into its own error
/// messages and loops for ever when an option's name contains one: no
/// option we know has a '%', so such an argument is refused first.
std::optional<std::string> percent_option(int argc, const char* const argv[]) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.size() > 1 && a[0] == '-' && a.substr(0, a.find('=')).find('%') != std::string::npos)
            return a.substr(0, 64);
    }
    return std::nullopt;
}

/// The configuration files in the order they count (later ones win): the
/// main file (-c, or the default, which may be missing), then conf.d/*.conf
/// beside it. Read into `settings`; an error text, or "".
std::string read_config_files(const po::variables_map& vm, options& o, raw_settings& settings, const config_fs& fs) {
    bool explicit_config = vm.count("config") > 0;
    if (explicit_config) o.config_file = vm["config"].as<std::string>();
    if (o.config_file.empty()) return "empty configuration file name -c ''";
    auto main_text = fs.read(o.config_file);
    if (!main_text.text && (explicit_config || !main_text.error.empty()))
        return std::string("cannot read configuration file ") + (explicit_config ? "-c '" : "'") + o.config_file + "'" +
               (main_text.error.empty() ? "" : ": " + main_text.error);
    std::vector<std::pair<std::string, std::string>> files;
    if (main_text.text) files.emplace_back(o.config_file, *main_text.text);
    std::string dir = std::filesystem::path(o.config_file).parent_path().string();
    for (const auto& path : fs.list_conf((dir.empty() ? "." : dir) + "/conf.d")) {
        auto text = fs.read(path);
        if (!text.text)
            return "cannot read configuration file '" + path + "'" + (text.error.empty() ? "" : ": " + text.error);
        files.emplace_back(path, *text.text);
    }
    for (const auto& [path, text] : files) {
        auto err = read_file(path, text, settings);
        if (!err.empty()) return err;
        o.config_files_read.push_back(path);
    }
    return "";
}

/// The command line's settings over the files'; an error text, or "".
std::string command_line_settings(const po::variables_map& vm, raw_settings& settings) {
    if (vm.count("requestor") && vm.count("no-requestor")) return "-r and --no-requestor contradict each other";
    if (vm.count("no-requestor")) settings["requestor"] = {"no", "--no-requestor"};
    if (vm.count("no-fast-confirm")) settings["fast-confirm"] = {"no", "--no-fast-confirm"};
    if (vm.count("no-mutual")) settings["mutual"] = {"no", "--no-mutual"};
    if (vm.count("no-align-rounds")) settings["align-rounds"] = {"no", "--no-align-rounds"};
    if (vm.count("no-unicast-inq")) settings["unicast-inq"] = {"no", "--no-unicast-inq"};
    if (vm.count("realtime") && vm.count("no-realtime")) return "--realtime and --no-realtime contradict each other";
    if (vm.count("no-realtime")) settings["realtime"] = {"no", "--no-realtime"};
    for (const auto& key : file_keys) {
        if (!vm.count(key)) continue;
        auto f = flag_of.find(key);
        std::string origin = f != flag_of.end() ? f->second : "--" + key;
        settings[key] = {switches.count(key) ? "yes" : vm[key].as<std::string>(), origin};
    }
    return "";
}

/// --test-round-seq-limit (tests only); an error text, or "".
std::string check_test_options(const po::variables_map& vm, options& o) {
    if (!vm.count("test-round-seq-limit")) return "";
    const auto& text = vm["test-round-seq-limit"].as<std::string>();
    auto n = parse_uint(text, wire::max_round_seq);
    if (!n || *n == 0)
        return "invalid --test-round-seq-limit '" + text + "': expected a whole number from 1 to " +
               std::to_string(wire::max_round_seq);
    o.round_seq_limit = std::uint32_t(*n);
    return "";
}

/// The settings from the files and the command line, checked.
parse_result read_settings(const po::variables_map& vm, const config_fs& fs) {
    options o;
    // Files first (later ones win), then the command line over them.
    raw_settings settings;
    if (auto err = read_config_files(vm, o, settings, fs); !err.empty()) return fail(err);
    if (auto err = command_line_settings(vm, settings); !err.empty()) return fail(err);
    if (auto err = check_settings(settings, o, fs); !err.empty()) return fail(err);
    if (auto err = check_test_options(vm, o); !err.empty()) return fail(err);
    parse_result r;
    o.check_config = vm.count("check-config") > 0;
    if (o.check_config) r.out = describe(o);  // main() checks the files and interfaces, then exits
    r.opts = o;
    return r;
}

}  // namespace

parse_result parse_options(int argc, const char* const argv[], const config_fs& fs) {
    po::options_description desc("Options");
    // Values are read as text and checked in check_settings(), so every error names
    // the option (or file:line) and the value the way the operator wrote it.
    add_main_options(desc);
    add_tuning_options(desc);
    po::options_description hidden;
    // For tests only, so not in --help (faild(8) names it under OPTIONS):
    // renew the incarnation after this many rounds instead of 2^31 - 1.
    hidden.add_options()("stray", po::value<std::vector<std::string>>())(
        "test-round-seq-limit", po::value<std::string>());
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description positional;
    positional.add("stray", -1);

    if (auto bad = percent_option(argc, argv)) return fail("unrecognised option '" + *bad + "'");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, const_cast<char**>(argv))
                      .options(all)
                      .positional(positional)
                      .style(po::command_line_style::unix_style)
                      .run(),
                  vm);
    } catch (const po::error& e) {
        return fail(e.what());
    }
    if (vm.count("stray")) return fail("unexpected argument '" + vm["stray"].as<std::vector<std::string>>()[0] + "'");

    parse_result r;
    if (vm.count("help")) {
        std::ostringstream os;
        os << usage_text << "\n" << desc;
        r.out = os.str();
        return r;
    }
    if (vm.count("version")) {
        r.out = std::string("faild ") + FAILD_VERSION + " (protocol " + std::to_string(wire::version) + ")\n";
        return r;
    }
    return read_settings(vm, fs);
}

}  // namespace faild
