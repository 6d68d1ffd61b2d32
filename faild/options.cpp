#include "faild/options.hpp"

#include "faild/wire.hpp"

#include <boost/program_options.hpp>

#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace faild {

namespace {

constexpr unsigned max_count = 1000;

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

bool valid_ifname(const std::string& s) {
    if (s.empty() || s.size() > 15) return false;
    for (char c : s)
        if (c == '/' || c == ':' || c == ',' || c <= ' ' || c == 127) return false;
    return true;
}

parse_result fail(const std::string& what) {
    parse_result r;
    r.exit_code = 2;
    r.err = "faild: " + what + " (see faild --help)";
    return r;
}

const char* usage_text =
    "Usage: faild [-r] [-t SECONDS] [-f N] [-s N] [-p PORT] [-l LOGFILE] [-i IF[,IF...]] [--node-id ID]\n"
    "             [--loose-rp-filter]\n"
    "Keeps multi-homed hosts talking when one of their LANs fails: probes every\n"
    "LAN, and routes a peer's addresses on a dead LAN via a live one.\n";

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

parse_result parse_options(int argc, const char* const argv[]) {
    po::options_description desc("Options");
    // Values are read as text and checked here, so every error names the
    // option and the value the way an operator typed them.
    desc.add_options()
        ("help,h", "print this help and exit")
        ("version,V", "print the version and exit")
        ("requestor,r", "send INQ probes (without -r: only answer them)")
        ("interval,t", po::value<std::string>()->value_name("SECONDS"),
         "probe interval in seconds, fractions allowed: 0.01 to 3600 (default 1)")
        ("fail,f", po::value<std::string>()->value_name("N"),
         "consecutive missed probes that take a path down, 1-1000 (default 3)")
        ("succeed,s", po::value<std::string>()->value_name("N"),
         "consecutive good probes that bring a path back up, 1-1000 (default 5)")
        ("port,p", po::value<std::string>()->value_name("PORT"), "UDP port, 1-65535 (default 7793)")
        ("log,l", po::value<std::string>()->value_name("LOGFILE"), "log to this file (default: stderr)")
        ("interfaces,i", po::value<std::string>()->value_name("IF[,IF...]"),
         "monitor exactly these interfaces, most preferred first (default: every interface that is up,\n"
         "not loopback, and has an IPv4 address, in ifindex order)")
        ("loose-rp-filter", "where a monitored interface filters reverse paths strictly (rp_filter 1),\n"
                            "set it to loose (2) instead of refusing to start")
        ("node-id", po::value<std::string>()->value_name("ID"),
         "this host's node id: 1-32 of [A-Za-z0-9._:-] (default: hostname plus a hash of\n"
         "/etc/machine-id and the monitored interfaces' MAC addresses)");
    po::options_description hidden;
    hidden.add_options()("stray", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description positional;
    positional.add("stray", -1);

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

    options o;
    o.requestor = vm.count("requestor") > 0;
    o.loose_rp_filter = vm.count("loose-rp-filter") > 0;
    if (vm.count("interval")) {
        const auto& t = vm["interval"].as<std::string>();
        auto d = parse_seconds(t);
        if (!d) return fail("invalid interval -t '" + t + "': expected seconds such as 1 or 0.05");
        if (*d < ms(10)) return fail("interval -t '" + t + "' is too short: the minimum is 0.01 seconds");
        if (*d > ms(3'600'000)) return fail("interval -t '" + t + "' is too long: the maximum is 3600 seconds");
        o.interval = *d;
    }
    auto count = [&](const char* name, const char* flag, unsigned& into) -> std::optional<parse_result> {
        if (!vm.count(name)) return std::nullopt;
        const auto& v = vm[name].as<std::string>();
        auto n = parse_uint(v, max_count);
        if (!n || *n == 0)
            return fail(std::string("invalid count ") + flag + " '" + v + "': expected a whole number from 1 to 1000");
        into = unsigned(*n);
        return std::nullopt;
    };
    if (auto e = count("fail", "-f", o.fail_after)) return *e;
    if (auto e = count("succeed", "-s", o.up_after)) return *e;
    if (vm.count("port")) {
        const auto& v = vm["port"].as<std::string>();
        auto n = parse_uint(v, 65535);
        if (!n || *n == 0) return fail("invalid port -p '" + v + "': expected 1 to 65535");
        o.port = std::uint16_t(*n);
    }
    if (vm.count("log")) {
        o.log_file = vm["log"].as<std::string>();
        if (o.log_file.empty()) return fail("empty log file name -l ''");
    }
    if (vm.count("interfaces")) {
        const auto& v = vm["interfaces"].as<std::string>();
        std::set<std::string> seen;
        std::stringstream ss(v);
        std::string name;
        while (std::getline(ss, name, ',')) {
            if (!valid_ifname(name)) return fail("invalid interface name '" + name + "' in -i '" + v + "'");
            if (!seen.insert(name).second) return fail("interface '" + name + "' listed twice in -i '" + v + "'");
            o.interfaces.push_back(name);
        }
        if (o.interfaces.empty() || v.back() == ',') return fail("invalid interface list -i '" + v + "'");
    }
    if (vm.count("node-id")) {
        o.node_id = vm["node-id"].as<std::string>();
        if (!wire::valid_node_id(o.node_id))
            return fail("invalid node id '" + o.node_id + "': expected 1-32 of [A-Za-z0-9._:-]");
    }
    r.opts = o;
    return r;
}

}  // namespace faild
