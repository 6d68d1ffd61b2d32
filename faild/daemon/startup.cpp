// DOC: startup — see startup.hpp.
#include "faild/daemon/startup.hpp"

#include "faild/core/lan_diff.hpp"
#include "faild/daemon/log.hpp"
#include "faild/daemon/loop.hpp"
#include "faild/daemon/state_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>

namespace faild {

namespace {

/// The interfaces to monitor, and the link source that read them.
bool choose_interfaces(const options& opts, start_kit& kit, std::string& error) {
    kit.links = platform::make_link_source(error);
    if (!kit.links) {
        error = "cannot read interfaces: " + error;
        return false;
    }
    auto all = kit.links->list(error);
    if (!error.empty()) {
        error = "cannot read interfaces: " + error;
        return false;
    }
    kit.ifs = select_interfaces(opts.interfaces, all, error);
    return !kit.ifs.empty();
}

/// Strict reverse-path filtering drops the peer's probes on a LAN once
/// faild reroutes its traffic, so recovery would never be seen: refused,
/// or with --loose-rp-filter set to loose (2).
bool loosen_rp_filters(const options& opts, start_kit& kit, std::string& error) {
    for (const auto& i : kit.ifs) {
        if (platform::rp_filter_mode(i.name) != 1) continue;
        if (!opts.loose_rp_filter) {
            error = "strict reverse-path filtering (rp_filter=1) on " + i.name +
                    " would hide recovery; set net.ipv4.conf." + i.name +
                    ".rp_filter=2 or start with --loose-rp-filter to let faild do it";
            return false;
        }
        if (!platform::set_rp_filter(i.name, 2, error)) {
            error = "cannot loosen rp_filter: " + error;
            return false;
        }
        kit.loosened.push_back(i.name);
    }
    return true;
}

/// The link monitor, the route table and the probe timer.
bool open_platform(const options& opts, start_kit& kit, std::string& error) {
    kit.monitor = platform::make_link_monitor(error);
    if (!kit.monitor) {
        error = "cannot watch interfaces: " + error;
        return false;
    }
    // A dry run's table keeps the state the reconciler needs and reports
    // each change instead of making it: the kernel is never touched.
    platform::route_table_config table_config;
    table_config.owner = {opts.table, opts.route_protocol};
    table_config.dry_run = opts.dry_run;
    table_config.report = [](const std::string& line) {
        event e("route", severity::info, "dry_run");
        e.raw(line);
        logging::write(e);
    };
    kit.table = platform::make_route_table(error, table_config);
    if (!kit.table) {
        error = "cannot open the routing table: " + error;
        return false;
    }
    kit.wakeup = platform::open_wakeup_timer(error);
    if (!kit.wakeup) error = "cannot open the probe timer: " + error;
    return kit.wakeup != nullptr;
}

/// The settings that are the options' own, as the engine names them.
void copy_settings(const options& opts, engine_config& cfg) {
    cfg.keys = opts.keys;
    cfg.damping = opts.damping;
    cfg.fast_confirm = opts.fast_confirm;
    cfg.confirm_floor = opts.fast_confirm_floor;
    cfg.mutual = opts.mutual;
    cfg.unicast_inq = opts.unicast_inq;
    cfg.round_seq_limit = opts.round_seq_limit;
    cfg.requestor = opts.requestor;
    cfg.interval = opts.interval;
    cfg.fail_after = opts.fail_after;
    cfg.up_after = opts.up_after;
    cfg.port = opts.port;
    cfg.forget_after = std::max<duration>(ms(60'000), opts.interval * opts.fail_after * 10);
    cfg.wire_v1 = opts.wire_v1;
}

/// A new incarnation. With keys, incarnations must grow so an old one's
/// datagrams can be told from the current one's (replays): the wall-clock
/// second, after waiting for the next one to begin, so two starts never
/// share one. Without keys, any number but 0.
std::uint32_t draw_incarnation(bool keyed, std::random_device& entropy) {
    if (!keyed) return std::uniform_int_distribution<std::uint32_t>(1, UINT32_MAX)(entropy);
    auto secs = [] {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    auto start = secs();
    while (secs() == start) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return std::uint32_t(secs());
}

/// Proofs of the run before (a restart, not a reboot: the runtime
/// directory is emptied at boot). They hold other claimants off for as
/// long as a peer is kept without news.
void load_proofs(const std::string& path, engine_config& cfg) {
    if (path.empty()) return;
    std::string error;
    if (auto text = read_state_file(path, error)) {
        std::size_t skipped = 0;
        cfg.proofs.from_text(*text, now() + cfg.forget_after, skipped);
        logging::write(event("daemon", severity::info, "proofs_loaded")
                           .kv("file", path)
                           .kv("proofs", static_cast<long long>(cfg.proofs.size()))
                           .kv("skipped", static_cast<long long>(skipped)));
    } else if (!error.empty()) {
        logging::write(event("daemon", severity::warning, "state_unreadable")
                           .kv("file", path)
                           .kv("error", error)
                           .kv("note", "starting without the proofs of the run before"));
    }
}

std::string joined(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ",") + i;
    return s;
}

}  // namespace

std::optional<start_kit> prepare_start(const options& opts, std::string& error) {
    start_kit kit;
    if (!choose_interfaces(opts, kit, error) || !loosen_rp_filters(opts, kit, error) ||
        !open_platform(opts, kit, error))
        return std::nullopt;
    for (const auto& i : kit.ifs) kit.lans.push_back(to_lan(i));
    kit.cfg = engine_settings(opts, kit.ifs);
    kit.state_path = state_file_path(opts);
    load_proofs(kit.state_path, kit.cfg);
    return kit;
}

engine_config engine_settings(const options& opts, const std::vector<interface_info>& ifs) {
    engine_config cfg;
    cfg.node_id = opts.node_id.empty() ? default_node_id(ifs) : opts.node_id;
    copy_settings(opts, cfg);
    if (opts.align_rounds) {
        // Read once: the wall clock's later steps do not move our rounds
        // (only a restart takes them up); its NTP slewing moves both clocks.
        auto wall = std::chrono::system_clock::now().time_since_epoch();
        auto mono = std::chrono::steady_clock::now().time_since_epoch();
        cfg.wall_offset = std::chrono::duration_cast<duration>(wall) - std::chrono::duration_cast<duration>(mono);
    }
    std::random_device entropy;
    cfg.seq_seed = std::uint64_t(entropy()) << 32 | entropy();
    cfg.incarnation = draw_incarnation(!cfg.keys.empty(), entropy);
    return cfg;
}

std::string default_node_id(const std::vector<interface_info>& lans) {
    std::string seed;
    std::ifstream mid("/etc/machine-id");
    std::getline(mid, seed);
    std::vector<std::string> macs;
    for (const auto& l : lans) macs.push_back(l.mac);
    std::sort(macs.begin(), macs.end());
    for (const auto& m : macs) seed += "|" + m;
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : seed) h = (h ^ c) * 1099511628211ull;

    char host[256] = {};
    gethostname(host, sizeof host - 1);
    std::string name;
    for (char c : std::string(host))
        if (name.size() < 24) name += wire::valid_node_id(std::string(1, c)) ? c : '-';
    if (name.empty()) name = "faild";
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "-%06x", unsigned(h & 0xffffff));
    return name + suffix;
}

std::string state_file_path(const options& opts) {
    if (opts.state_file == "none") return {};
    if (!opts.state_file.empty()) return opts.state_file;
    return (opts.control_socket.empty() ? platform::default_control_socket() : opts.control_socket) + ".state";
}

event start_line(const options& opts, const engine& eng, const std::string& control) {
    const auto& c = eng.config();
    event e("daemon", severity::info, "start");
    e.kv("version", FAILD_VERSION).kv("node_id", c.node_id).kv("incarnation", c.incarnation);
    e.kv("requestor", c.requestor ? "yes" : "no").kv("interval", format_seconds(c.interval));
    e.kv("fail", c.fail_after).kv("succeed", c.up_after).kv("port", c.port);
    std::vector<std::string> lans;
    for (const auto& l : eng.lans()) lans.push_back(l.name);
    e.kv("lans", joined(lans)).kv("log", opts.log_file.empty() ? "stderr" : opts.log_file);
    std::string files = joined(opts.config_files_read);
    e.kv("config", files.empty() ? "none" : files);
    if (opts.dry_run) e.kv("dry_run", "yes");
    e.kv("auth", c.keys.empty() ? "none" : "hmac-sha256 keys=" + std::to_string(c.keys.size()));
    e.kv("control", control);
    e.kv("table", opts.table_name).kv("route_protocol", opts.route_protocol);
    return e;
}

event lan_line(const lan& l, bool ipv6) {
    event e("daemon", severity::info, "lan");
    e.kv("lan", l.name).kv("ifindex", l.ifindex).kv("addrs", address_list(l));
    e.kv("ipv6", ipv6 ? "yes" : "no");
    e.kv("rp_filter", platform::rp_filter_mode(l.name));
    e.kv("carrier", l.carrier ? "yes" : "no");
    return e;
}

std::string missing_privileges() {
    auto priv = platform::current_privileges();
    if (priv.net_admin && priv.net_raw) return "";
    std::string missing = !priv.net_admin && !priv.net_raw ? "CAP_NET_ADMIN and CAP_NET_RAW"
                          : !priv.net_admin                ? "CAP_NET_ADMIN"
                                                           : "CAP_NET_RAW";
    return "missing privileges: needs " + missing +
           " (CAP_NET_ADMIN to change routes, CAP_NET_RAW to bind probe sockets to interfaces); "
           "run as root or grant them";
}

}  // namespace faild
