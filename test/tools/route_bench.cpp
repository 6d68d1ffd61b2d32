// faild-route-bench: how long the Linux route table takes to program many
// host routes one at a time (a netlink request and its ACK per route) and
// as one batch (route_table::apply: many requests per sendmsg, ACKs
// collected after), for add, replace and remove, IPv6 and IPv4.
//
//   faild-route-bench [--routes N] [--routes4 M] [--runs R] [--dev DEV]
//                     [--via6 A --via6-alt B --src6 S]
//                     [--via4 A --via4-alt B --src4 S]
//
// It changes routes, so it refuses to run in the machine's own network
// namespace (/proc/self/ns/net equal to /proc/1/ns/net, as
// platform/linux/netns.cpp tells them apart, or to kthreadd's; and when it
// cannot tell) and in one that holds faild
// routes (proto 250) already. scripts/bench-routes makes a namespace with
// the veth it needs and runs it there:
//   dev rb0 with 2001:db8:ff::1/64 and 203.0.113.241/28, next hops
//   2001:db8:ff::2 / ::3 and 203.0.113.242 / .243 (the defaults here).
// Destinations: N IPv6 /128s in 2001:db8:1::/64 (default 1000), M IPv4 /32s
// from 192.0.2.1-254, 198.51.100.1-254 and 203.0.113.1-239 (default 700,
// at most 747): documentation ranges only.
//
// Each of R runs (default 5) does, for each family, add all / replace all
// (new next hop and source) / remove all, once one at a time and once as a
// batch (which goes first alternates), checks the table after every step,
// and then times a whole reconcile (list + batch, events built) from empty
// to N routes, as faild does it. Output, medians over the runs, one line
// per family and operation:
//
//   bench=routes family=ipv6 routes=1000 runs=5 op=add one_by_one_ms=4.210 batched_ms=2.870 saved_pct=31.8
//   bench=routes family=ipv6 routes=1000 runs=5 op=reconcile_add ms=3.100
//
// Exit status: 0 done, 1 a step went wrong (message on stderr), 2 usage or
// refused to run.
#include "faild/core/reconciler.hpp"
#include "platform/platform.hpp"

#include <net/if.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace faild;
using faild::platform::op_result;
using faild::platform::route_change;
using faild::platform::route_table;

namespace {

struct options {
    int routes6 = 1000;
    int routes4 = 700;
    int runs = 5;
    std::string dev = "rb0";
    std::string via6 = "2001:db8:ff::2", via6_alt = "2001:db8:ff::3", src6 = "2001:db8:ff::1";
    std::string via4 = "203.0.113.242", via4_alt = "203.0.113.243", src4 = "203.0.113.241";
};

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr,
                 "faild-route-bench: %s\n"
                 "usage: faild-route-bench [--routes N] [--routes4 M] [--runs R] [--dev DEV]\n"
                 "                         [--via6 A] [--via6-alt B] [--src6 S] [--via4 A] [--via4-alt B] [--src4 S]\n",
                 why.c_str());
    std::exit(2);
}

[[noreturn]] void fail(const std::string& why) {
    std::fprintf(stderr, "faild-route-bench: %s\n", why.c_str());
    std::exit(1);
}

/// True when this process is in the machine's initial network namespace,
/// or when that cannot be told (then it is safer to assume so). The
/// reference is PID 1's namespace, as platform/linux/netns.cpp takes it, and
/// kthreadd's (PID 2; kernel threads live in the initial one): from inside
/// another namespace PID 1's link may not be readable (EACCES here), and
/// equality with either is enough to refuse.
bool in_initial_namespace() {
    struct stat own {};
    if (stat("/proc/self/ns/net", &own) != 0) return true;
    bool compared = false;
    for (const char* pid : {"1", "2"}) {
        if (std::string(pid) == "2") {
            std::ifstream comm("/proc/2/comm");
            std::string name;
            if (!std::getline(comm, name) || name != "kthreadd") continue;
        }
        struct stat ref {};
        if (stat(("/proc/" + std::string(pid) + "/ns/net").c_str(), &ref) != 0) continue;
        compared = true;
        if (own.st_ino == ref.st_ino && own.st_dev == ref.st_dev) return true;
    }
    return !compared;
}

ip_address parse_or_die(const std::string& text) {
    auto a = ip_address::parse(text);
    if (!a) usage("not an address: " + text);
    return *a;
}

route make(const ip_address& dst, const std::string& via, const std::string& dev, int ifindex,
           const std::string& src) {
    route r;
    r.dst = dst;
    r.via = parse_or_die(via);
    r.dev = dev;
    r.ifindex = ifindex;
    r.src = parse_or_die(src);
    return r;
}

std::vector<ip_address> destinations6(int n) {
    std::vector<ip_address> out;
    char text[64];
    for (int i = 1; i <= n; ++i) {
        std::snprintf(text, sizeof text, "2001:db8:1::%x", i);
        out.push_back(*ip_address::parse(text));
    }
    return out;
}

std::vector<ip_address> destinations4(int n) {
    // 203.0.113.240/28 is the bench link's own subnet: left out.
    const struct {
        const char* base;
        int last;
    } ranges[] = {{"192.0.2.", 254}, {"198.51.100.", 254}, {"203.0.113.", 239}};
    std::vector<ip_address> out;
    for (const auto& range : ranges)
        for (int i = 1; i <= range.last && int(out.size()) < n; ++i)
            out.push_back(*ip_address::parse(range.base + std::to_string(i)));
    return out;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

route_set listed(route_table& table) {
    std::string error;
    auto routes = table.list(error);
    if (!routes) fail("cannot list routes: " + error);
    return *routes;
}

/// The table holds exactly `want` (by every field faild compares).
void expect(route_table& table, const std::vector<route>& want, const char* after) {
    auto have = listed(table);
    if (have.size() != want.size())
        fail(std::string("after ") + after + ": " + std::to_string(have.size()) + " routes listed, " +
             std::to_string(want.size()) + " expected");
    for (const auto& r : want) {
        auto it = have.find(r.dst);
        if (it == have.end() || it->second != r)
            fail(std::string("after ") + after + ": " + r.to_string() + " is not as expected");
    }
}

void check_results(const std::vector<op_result>& results, const std::vector<route_change>& changes, const char* what) {
    if (results.size() != changes.size()) fail(std::string(what) + ": wrong number of results");
    for (std::size_t i = 0; i < results.size(); ++i)
        if (!results[i].ok()) fail(std::string(what) + " " + changes[i].r.to_string() + ": " + results[i].error);
}

/// Timings of one family over all runs.
struct figures {
    std::vector<double> single[3], batch[3];  // add, replace, remove
    std::vector<double> reconcile;
};

/// One run for one family: the three steps one at a time and batched.
void run_once(route_table& table, const std::vector<route>& first, const std::vector<route>& second,
              bool batch_first, figures& f) {
    using k = route_change::kind;
    std::vector<route_change> adds, replaces, removes;
    for (const auto& r : first) adds.push_back({k::add, r});
    for (const auto& r : second) replaces.push_back({k::replace, r});
    for (const auto& r : second) removes.push_back({k::remove, r});
    const std::vector<route> none;

    auto single = [&] {
        const std::vector<route_change>* steps[] = {&adds, &replaces, &removes};
        const std::vector<route>* after[] = {&first, &second, &none};
        const char* names[] = {"add", "replace", "remove"};
        for (int s = 0; s < 3; ++s) {
            listed(table);  // as the reconciler does before it writes
            auto t0 = std::chrono::steady_clock::now();
            std::vector<op_result> results;
            results.reserve(steps[s]->size());
            for (const auto& c : *steps[s]) {
                switch (c.op) {
                case k::add: results.push_back(table.add(c.r)); break;
                case k::replace: results.push_back(table.replace(c.r)); break;
                case k::remove: results.push_back(table.remove(c.r)); break;
                }
            }
            f.single[s].push_back(ms_since(t0));
            check_results(results, *steps[s], names[s]);
            expect(table, *after[s], names[s]);
        }
    };
    auto batched = [&] {
        const std::vector<route_change>* steps[] = {&adds, &replaces, &removes};
        const std::vector<route>* after[] = {&first, &second, &none};
        const char* names[] = {"batched add", "batched replace", "batched remove"};
        for (int s = 0; s < 3; ++s) {
            listed(table);
            auto t0 = std::chrono::steady_clock::now();
            auto results = table.apply(*steps[s]);
            f.batch[s].push_back(ms_since(t0));
            check_results(results, *steps[s], names[s]);
            expect(table, *after[s], names[s]);
        }
    };
    if (batch_first) {
        batched();
        single();
    } else {
        single();
        batched();
    }

    // What faild does: one reconcile from nothing to all of them, then back.
    route_set desired;
    for (const auto& r : first) desired[r.dst] = r;
    reconciler rec(table);
    effect_list events;
    auto t0 = std::chrono::steady_clock::now();
    bool ok = rec.reconcile(desired, "bench", events);
    f.reconcile.push_back(ms_since(t0));
    if (!ok || events.size() != first.size()) fail("reconcile did not add every route");
    expect(table, first, "reconcile");
    events.clear();
    if (!rec.reconcile({}, "bench", events)) fail("reconcile did not remove every route");
    expect(table, none, "reconcile back to empty");
}

void report(const char* family, std::size_t routes, int runs, const figures& f) {
    const char* names[] = {"add", "replace", "remove"};
    for (int s = 0; s < 3; ++s) {
        double one = median(f.single[s]), batch = median(f.batch[s]);
        std::printf("bench=routes family=%s routes=%zu runs=%d op=%s one_by_one_ms=%.3f batched_ms=%.3f saved_pct=%.1f\n",
                    family, routes, runs, names[s], one, batch, one > 0 ? 100.0 * (one - batch) / one : 0.0);
    }
    std::printf("bench=routes family=%s routes=%zu runs=%d op=reconcile_add ms=%.3f\n", family, routes, runs,
                median(f.reconcile));
}

int number(const char* text, const char* name, int lo, int hi) {
    char* end = nullptr;
    long v = std::strtol(text, &end, 10);
    if (!*text || *end || v < lo || v > hi)
        usage(std::string(name) + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return int(v);
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") usage("help");
        if (i + 1 >= argc) usage(a + " needs a value");
        const char* v = argv[++i];
        if (a == "--routes") o.routes6 = number(v, "--routes", 0, 65535);
        else if (a == "--routes4") o.routes4 = number(v, "--routes4", 0, 747);
        else if (a == "--runs") o.runs = number(v, "--runs", 1, 1000);
        else if (a == "--dev") o.dev = v;
        else if (a == "--via6") o.via6 = v;
        else if (a == "--via6-alt") o.via6_alt = v;
        else if (a == "--src6") o.src6 = v;
        else if (a == "--via4") o.via4 = v;
        else if (a == "--via4-alt") o.via4_alt = v;
        else if (a == "--src4") o.src4 = v;
        else usage("unknown option " + a);
    }
    if (in_initial_namespace())
        usage("refusing to run in the machine's own network namespace (use scripts/bench-routes)");

    const int ifindex = int(if_nametoindex(o.dev.c_str()));
    if (ifindex == 0) usage("no interface " + o.dev + " here (scripts/bench-routes makes it)");

    std::string error;
    auto table = platform::make_kernel_route_table(error);
    if (!table) fail(error);
    if (!listed(*table).empty()) usage("this namespace holds faild routes (proto 250) already: refusing to touch them");

    struct family_setup {
        const char* name;
        std::vector<ip_address> dsts;
        std::string via, via_alt, src;
    } families[] = {
        {"ipv6", destinations6(o.routes6), o.via6, o.via6_alt, o.src6},
        {"ipv4", destinations4(o.routes4), o.via4, o.via4_alt, o.src4},
    };
    for (auto& fam : families) {
        if (fam.dsts.empty()) continue;
        std::vector<route> first, second;
        for (const auto& d : fam.dsts) {
            first.push_back(make(d, fam.via, o.dev, ifindex, fam.src));
            // The replacement changes the next hop; the source stays (the
            // link has one address of each family).
            second.push_back(make(d, fam.via_alt, o.dev, ifindex, fam.src));
        }
        figures f;
        for (int run = 0; run < o.runs; ++run) run_once(*table, first, second, run % 2 == 1, f);
        report(fam.name, fam.dsts.size(), o.runs, f);
        std::fflush(stdout);
    }
    return 0;
}
