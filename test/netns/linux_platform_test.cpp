// DOC: linux_platform_test — the Linux backend against a real kernel, inside
// private network namespaces the test process makes for itself.
//
// Every test case builds a fresh lab: the process unshares a network
// namespace ("host": a0, b0 — us) and a second one ("peer": a1, b1 — the
// other end of both wires), joined by two veth pairs, LAN A and LAN B:
//
//     host ns                        peer ns
//     a0 192.0.2.1/24      ====      a1 192.0.2.2/24        LAN A
//        2001:db8:a::1/64               2001:db8:a::2/64
//        fe80::a0                       fe80::a1
//     b0 198.51.100.1/24   ====      b1 198.51.100.2/24     LAN B
//        2001:db8:b::1/64               2001:db8:b::2/64
//        fe80::b0                       fe80::b1
//
// Addresses are added with `nodad` (no 2 s DAD wait), link-locals by hand
// (addrgenmode none), and the four veth ends get distinct ifindexes (20, 21,
// 30, 31; equal ones get link events batched ~1 s). The machine's own
// namespace is never touched: the namespaces die with the lab. Without root
// or namespaces the binary exits 77, which ctest shows as skipped.
#include "platform/platform.hpp"

#include "faild/core/engine.hpp"
#include "faild/daemon/lan_sockets.hpp"

#include "faild/core/wire.hpp"
#include "platform/linux/netlink_link_monitor.hpp"
#include "unit/route_table_contract.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

using namespace faild;
using namespace faild::platform;
using contract::ip;

namespace {

[[noreturn]] void skip(const std::string& why) {
    std::fprintf(stderr, "SKIPPED: %s\n", why.c_str());
    std::fflush(stderr);
    std::exit(77);
}

/// Output (stdout and stderr) and exit status of a shell command.
struct command_result {
    int status = -1;
    std::string output;
};

command_result run(const std::string& cmd) {
    command_result r;
    FILE* p = popen(("{\n" + cmd + "\n} 2>&1").c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

/// Polls `cond` until it holds or `ms` pass: never a bare sleep.
bool eventually(const std::function<bool()>& cond, int ms = 3000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
        if (cond()) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void write_file(const std::string& path, const std::string& value) {
    std::ofstream f(path);
    f << value << "\n";
}

/// Closes a descriptor when it goes, also when a constructor throws.
struct owned_fd {
    int fd = -1;
    owned_fd() = default;
    owned_fd(const owned_fd&) = delete;
    owned_fd& operator=(const owned_fd&) = delete;
    ~owned_fd() {
        if (fd >= 0) close(fd);
    }
};

/// The two-namespace lab described at the top of the file.
class lab {
public:
    lab() {
        if (geteuid() != 0) skip("needs root (network namespaces)");
        if (unshare(CLONE_NEWNET) != 0) skip(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
        host_fd_.fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (unshare(CLONE_NEWNET) != 0) skip(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
        peer_fd_.fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (host_fd_.fd < 0 || peer_fd_.fd < 0 || setns(host_fd_.fd, CLONE_NEWNET) != 0)
            skip("cannot hold two namespaces");
        peer_path_ = "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(peer_fd_.fd);

        host(
            "link set lo up\n"
            "link add a0 index 20 address 02:00:00:00:0a:00 type veth"
            " peer name a1 index 21 address 02:00:00:00:0a:01 netns " + peer_path_ + "\n"
            "link add b0 index 30 address 02:00:00:00:0b:00 type veth"
            " peer name b1 index 31 address 02:00:00:00:0b:01 netns " + peer_path_ + "\n" +
            addresses("a0", "192.0.2.1/24", "2001:db8:a::1/64", "fe80::a0/64") +
            addresses("b0", "198.51.100.1/24", "2001:db8:b::1/64", "fe80::b0/64"));
        peer("link set lo up\n" + addresses("a1", "192.0.2.2/24", "2001:db8:a::2/64", "fe80::a1/64") +
             addresses("b1", "198.51.100.2/24", "2001:db8:b::2/64", "fe80::b1/64"));
        // Carrier comes through link-watch; IPv6 on-link routes follow it.
        bool ready = eventually([&] {
            return run("ip -6 route show 2001:db8:a::/64 dev a0 | grep -q . && "
                       "ip -6 route show 2001:db8:b::/64 dev b0 | grep -q . && "
                       "ip link show a0 | grep -q LOWER_UP && ip link show b0 | grep -q LOWER_UP")
                       .status == 0;
        });
        if (!ready) FAIL("lab links never came up:\n" << snapshot());
    }

    ~lab() { setns(host_fd_.fd, CLONE_NEWNET); }

    lab(const lab&) = delete;
    lab& operator=(const lab&) = delete;

    /// Runs `ip -batch` lines in the host namespace; fails the test on error.
    void host(const std::string& batch) { ip_batch(batch); }
    /// Runs `fn` with the calling thread in the peer namespace: sockets it
    /// opens stay there.
    template <typename Fn>
    auto in_peer(Fn&& fn) {
        struct back_home {
            int fd;
            ~back_home() { setns(fd, CLONE_NEWNET); }
        } guard{host_fd_.fd};
        REQUIRE(setns(peer_fd_.fd, CLONE_NEWNET) == 0);
        return fn();
    }

    /// The same in the peer namespace.
    void peer(const std::string& batch) {
        in_peer([&] { ip_batch(batch); });
    }

    /// Links, addresses and routes of both namespaces, for failure messages.
    /// Returns to the namespace it was called in: doctest evaluates INFO()
    /// whenever an assertion is reported (with -s, for passing ones too),
    /// also inside in_peer().
    std::string snapshot() {
        const char* dump = "ip -br link; ip addr; ip route; ip -6 route; ip route show table all proto 250";
        owned_fd here;
        here.fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (here.fd < 0) return "(no snapshot: " + std::string(std::strerror(errno)) + ")";
        std::string out;
        if (setns(host_fd_.fd, CLONE_NEWNET) == 0) out += "--- host namespace ---\n" + run(dump).output;
        if (setns(peer_fd_.fd, CLONE_NEWNET) == 0) out += "--- peer namespace ---\n" + run(dump).output;
        setns(here.fd, CLONE_NEWNET);
        return out;
    }

    contract::link a() const { return {"a0", 20}; }
    contract::link b() const { return {"b0", 30}; }

private:
    static std::string addresses(const std::string& dev, const std::string& v4, const std::string& v6,
                                 const std::string& ll) {
        return "link set " + dev + " addrgenmode none\n"
               "addr add " + v4 + " dev " + dev + "\n"
               "addr add " + v6 + " dev " + dev + " nodad\n"
               "addr add " + ll + " dev " + dev + " nodad\n"
               "link set " + dev + " up\n";
    }

    void ip_batch(const std::string& batch) {
        auto r = run("ip -batch - <<'EOF'\n" + batch + "EOF");
        if (r.status != 0) FAIL("ip -batch failed:\n" << batch << r.output);
    }

    owned_fd host_fd_;
    owned_fd peer_fd_;
    std::string peer_path_;
};

const interface_info* find(const std::vector<interface_info>& all, const std::string& name) {
    for (const auto& i : all)
        if (i.name == name) return &i;
    return nullptr;
}

const interface_address* find(const interface_info& i, const std::string& pfx) {
    for (const auto& a : i.addrs)
        if (a.addr == *prefix::parse(pfx)) return &a;
    return nullptr;
}

std::vector<interface_info> links_now() {
    std::string error;
    auto source = make_link_source(error);
    REQUIRE_MESSAGE(source, error);
    auto all = source->list(error);
    REQUIRE_MESSAGE(error == "", error);
    return all;
}

std::unique_ptr<route_table> open_table() {
    std::string error;
    auto t = make_kernel_route_table(error);
    REQUIRE_MESSAGE(t, error);
    return t;
}

std::unique_ptr<probe_socket> open_socket(const std::string& dev, family fam, std::uint16_t port) {
    std::string error;
    auto s = open_probe_socket(dev, fam, port, error);
    REQUIRE_MESSAGE(s, error);
    return s;
}

/// One datagram, waiting up to `ms` for it.
std::optional<datagram> receive_within(probe_socket& s, std::vector<std::uint8_t>& buf, int ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
        if (auto d = s.receive(buf.data(), buf.size())) return d;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd p{s.fd(), POLLIN, 0};
        poll(&p, 1, int(left.count()));
    }
}

/// The next datagram not sent by `self`: a sender hears its own IPv4
/// broadcasts.
std::optional<datagram> receive_from_other(probe_socket& s, std::vector<std::uint8_t>& buf, const char* self,
                                           int ms) {
    for (;;) {
        auto d = receive_within(s, buf, ms);
        if (!d || d->from != ip(self)) return d;
    }
}

void send(probe_socket& s, const char* dst, std::uint16_t port, const std::string& text) {
    std::string error;
    REQUIRE_MESSAGE(s.send_to(ip(dst), port, reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), error),
                    error);
}

std::string text(const std::vector<std::uint8_t>& buf, const datagram& d) {
    return std::string(reinterpret_cast<const char*>(buf.data()), d.size);
}

constexpr std::uint16_t port = 7793;

std::unique_ptr<probe_socket> open_group_socket(const std::string& dev, const ip_address& group) {
    std::string error;
    auto s = open_probe_socket(dev, family::v6, port, error, &group);
    REQUIRE_MESSAGE(s, error);
    return s;
}

std::unique_ptr<link_monitor> open_monitor() {
    std::string error;
    auto m = make_link_monitor(error);
    REQUIRE_MESSAGE(m, error);
    return m;
}

/// Drains `m` until it has been quiet for `quiet_ms`: notifications still in
/// flight from an earlier step (the lab's own setup included) are gone then.
void settle(link_monitor& m, int quiet_ms = 300) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        m.drain();
        pollfd p{m.fd(), POLLIN, 0};
        if (poll(&p, 1, quiet_ms) == 0) return;
        if (std::chrono::steady_clock::now() > deadline) FAIL("link notifications never stop");
    }
}

/// Waits up to `ms` for the monitor to report a change (polling its fd, as
/// the event loop does); true when one came in time.
bool change_within(link_monitor& m, int ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
        if (m.drain()) return true;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{m.fd(), POLLIN, 0};
        poll(&p, 1, int(left.count()));
    }
}

/// Notifications the kernel dropped for the netlink socket `fd` (the Drops
/// column of /proc/net/netlink, found by the socket's inode); -1 if unknown.
long netlink_drops(int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return -1;
    std::ifstream in("/proc/net/netlink");
    std::string line;
    std::getline(in, line);  // header: sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string sk, eth, pid, groups, rmem, wmem, dump, locks;
        long drops = -1;
        unsigned long inode = 0;
        if (fields >> sk >> eth >> pid >> groups >> rmem >> wmem >> dump >> locks >> drops >> inode &&
            inode == st.st_ino)
            return drops;
    }
    return -1;
}

bool is_tentative(const std::string& dev, const std::string& pfx) {
    auto all = links_now();
    const interface_info* i = find(all, dev);
    const interface_address* a = i ? find(*i, pfx) : nullptr;
    return a && a->tentative;
}

}  // namespace

// ---------------------------------------------------------------- routes

TEST_CASE("linux route_table: the route-table contract") {
    lab net;
    INFO(net.snapshot());
    auto table = open_table();

    contract::environment env;
    env.a = net.a();
    env.b = net.b();
    env.add_foreign = [&](const route& r) {
        net.host("route add " + r.dst.to_string() + " via " + r.via.to_string() + " dev " + r.dev + " src " +
                 r.src.to_string() + " proto static\n");
    };
    env.foreign_present = [](const route& r) {
        auto shown = run(std::string("ip ") + (r.dst.is_v4() ? "-4" : "-6") + " route show " + r.dst.to_string() +
                         " proto static");
        return shown.output.find("via " + r.via.to_string() + " dev " + r.dev) != std::string::npos;
    };
    contract::check_route_table_contract(*table, env);
}

TEST_CASE("linux route_table: installs exactly what `ip route` shows, tagged proto 250 in main") {
    lab net;
    INFO(net.snapshot());
    auto table = open_table();
    REQUIRE(table->add(contract::make(ip("192.0.2.2"), ip("198.51.100.2"), net.b(), ip("192.0.2.1"))).ok());
    REQUIRE(table->add(contract::make(ip("2001:db8:a::2"), ip("fe80::b1"), net.b(), ip("2001:db8:a::1"))).ok());
    CHECK(run("ip -4 route show table main 192.0.2.2").output ==
          "192.0.2.2 via 198.51.100.2 dev b0 proto 250 src 192.0.2.1 \n");
    CHECK(run("ip -6 route show table main 2001:db8:a::2").output ==
          "2001:db8:a::2 via fe80::b1 dev b0 proto 250 src 2001:db8:a::1 metric 1024 pref medium\n");
}

TEST_CASE("linux route_table: stale routes of ours of any scope, type or metric can be removed") {
    lab net;
    INFO(net.snapshot());
    net.host(
        "route add 192.0.2.50/32 dev a0 proto 250 scope link\n"
        "route add blackhole 192.0.2.51/32 proto 250\n"
        "route add blackhole 2001:db8:a::51/128 proto 250\n"
        "route add 192.0.2.52/32 via 198.51.100.2 dev b0 proto 250 metric 5\n"
        "route add 2001:db8:a::52/128 via fe80::b1 dev b0 proto 250 metric 5\n");
    auto table = open_table();
    std::string error;
    auto routes = table->list(error);
    REQUIRE_MESSAGE(routes, error);
    CHECK(routes->size() == 5);
    for (const auto& [dst, r] : *routes) CHECK_MESSAGE(table->remove(r).error == "", dst.to_string());
    CHECK(run("ip route show table all proto 250").output == "");
    CHECK(run("ip -6 route show table all proto 250").output == "");
}

TEST_CASE("linux route_table: other tables and non-host routes are not listed or touched") {
    lab net;
    INFO(net.snapshot());
    net.host(
        "route add 192.0.2.60/32 via 198.51.100.2 dev b0 proto 250 table 100\n"
        "route add 203.0.113.0/24 via 198.51.100.2 dev b0 proto 250\n");
    auto table = open_table();
    std::string error;
    CHECK(contract::listed(*table) == "");
    CHECK(table->remove(contract::make(ip("192.0.2.60"), {}, {}, {})).error == "no such route");
    CHECK(table->remove(contract::make(ip("203.0.113.0"), {}, {}, {})).error == "no such route");
    CHECK(run("ip route show table all proto 250 | wc -l").output == "2\n");
}

TEST_CASE("linux route_table: another table or another tag: each instance sees, repairs and removes only its own") {
    lab net;
    INFO(net.snapshot());
    std::string error;
    auto main_250 = make_kernel_route_table(error);  // faild's default: main, 250
    auto t100_250 = make_kernel_route_table(error, {100, 250});
    auto main_251 = make_kernel_route_table(error, {254, 251});
    REQUIRE(main_250);
    REQUIRE(t100_250);
    REQUIRE(main_251);
    auto to2 = contract::make(ip("192.0.2.2"), ip("198.51.100.2"), net.b(), ip("192.0.2.1"));
    auto to3 = contract::make(ip("192.0.2.3"), ip("198.51.100.2"), net.b(), ip("192.0.2.1"));
    REQUIRE(main_250->add(to2).ok());
    REQUIRE(t100_250->add(to2).ok());  // another table: another key
    CHECK(main_251->add(to2).error == "route exists (not faild's)");  // same table, same key: never taken over
    REQUIRE(main_251->add(to3).ok());
    CHECK(run("ip -4 route show table 100").output == "192.0.2.2 via 198.51.100.2 dev b0 proto 250 src 192.0.2.1 \n");
    CHECK(run("ip -4 route show table main proto 251").output == "192.0.2.3 via 198.51.100.2 dev b0 src 192.0.2.1 \n");
    CHECK(contract::listed(*main_250) == "192.0.2.2/32 via 198.51.100.2 dev b0(30) src 192.0.2.1");
    CHECK(contract::listed(*t100_250) == "192.0.2.2/32 via 198.51.100.2 dev b0(30) src 192.0.2.1");
    CHECK(contract::listed(*main_251) == "192.0.2.3/32 via 198.51.100.2 dev b0(30) src 192.0.2.1");
    // Nobody touches another's route: not by remove, not by replace.
    CHECK(main_250->remove(to3).error == "no such route");
    CHECK(main_251->replace(to2).error == "route exists (not faild's)");
    CHECK(main_250->replace(to3).error == "route exists (not faild's)");
    REQUIRE(t100_250->remove(to2).ok());
    CHECK(contract::listed(*t100_250) == "");
    CHECK(contract::listed(*main_250) == "192.0.2.2/32 via 198.51.100.2 dev b0(30) src 192.0.2.1");
    CHECK(contract::listed(*main_251) == "192.0.2.3/32 via 198.51.100.2 dev b0(30) src 192.0.2.1");
    // IPv6 in another table as well.
    auto v6 = contract::make(ip("2001:db8:a::2"), ip("fe80::b1"), net.b(), ip("2001:db8:a::1"));
    REQUIRE(t100_250->add(v6).ok());
    CHECK(run("ip -6 route show table 100 2001:db8:a::2").output ==
          "2001:db8:a::2 via fe80::b1 dev b0 proto 250 src 2001:db8:a::1 metric 1024 pref medium\n");
    CHECK(main_250->remove(v6).error == "no such route");
    REQUIRE(t100_250->remove(v6).ok());
}

TEST_CASE("linux interface_lock: one claim per table and interface, the refusal names the holder, freed with it") {
    char tmpl[] = "/tmp/faild-locks-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    const std::string dir = tmpl;
    std::string error;
    auto a = lock_interface(dir, 254, "eth0", "pid 11, control socket /run/faild/a", error);
    REQUIRE_MESSAGE(a, error);
    error.clear();
    auto again = lock_interface(dir, 254, "eth0", "pid 22, control socket /run/faild/b", error);
    CHECK_FALSE(again);  // (flock: also within one process, a second open file is refused)
    CHECK_MESSAGE(error.find("another faild (pid 11, control socket /run/faild/a) monitors eth0 with routes in table 254") !=
                      std::string::npos,
                  error);
    auto other_table = lock_interface(dir, 100, "eth0", "pid 22", error);
    CHECK(other_table);
    auto other_if = lock_interface(dir, 254, "eth1", "pid 22", error);
    CHECK(other_if);
    a.reset();  // the holder goes (a crash closes its descriptors just the same)
    auto after = lock_interface(dir, 254, "eth0", "pid 33", error);
    CHECK_MESSAGE(after, error);
    std::string words;
    for (const auto& e : std::filesystem::directory_iterator(dir))  // (a namespace suffix may follow)
        if (e.path().filename().string().rfind("table254-eth0", 0) == 0) {
            std::ifstream f(e.path());
            std::getline(f, words);
        }
    CHECK(words == "pid 33");
    after.reset();
    other_table.reset();
    other_if.reset();
    CHECK(std::filesystem::is_empty(dir));  // claims let go leave no file behind
    // A holder that dies without letting go (a crash: no destructor runs)
    // leaves its file, but not its claim.
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        std::string e;
        auto held = lock_interface(dir, 254, "eth0", "pid crashed", e);
        _exit(held ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    CHECK_FALSE(std::filesystem::is_empty(dir));
    auto after_crash = lock_interface(dir, 254, "eth0", "pid 44", error);
    CHECK_MESSAGE(after_crash, error);
    after_crash.reset();
    std::filesystem::remove_all(dir);
}

TEST_CASE("linux route_table: kernel refusals come back in words") {
    lab net;
    INFO(net.snapshot());
    auto table = open_table();
    std::string error;
    // 203.0.113.1 is not on-link of b0.
    auto off_link = table->add(contract::make(ip("192.0.2.2"), ip("203.0.113.1"), net.b(), ip("192.0.2.1")));
    // libnl alone would say "Unspecific failure"; the kernel's own words
    // are e.g. "Nexthop has invalid gateway (Network is unreachable)".
    CHECK_MESSAGE(off_link.error.find("gateway") != std::string::npos, off_link.error);
    // A source address that is not ours.
    auto bad_src = table->add(contract::make(ip("192.0.2.2"), ip("198.51.100.2"), net.b(), ip("203.0.113.7")));
    CHECK_MESSAGE(bad_src.error.find("prefsrc") != std::string::npos, bad_src.error);
    CHECK(table->add(contract::make(ip("192.0.2.2"), ip("198.51.100.2"), {"nosuch0", 0}, ip("192.0.2.1"))).error ==
          "no such interface nosuch0");
    CHECK(contract::listed(*table) == "");
}

// ---------------------------------------------------------------- route batches

namespace {

route_change change(route_change::kind k, const route& r) { return {k, r}; }

/// The errors of a batch, one line per change: "i: error" ("i: ok").
std::string outcomes(const std::vector<op_result>& results) {
    std::string out;
    for (std::size_t i = 0; i < results.size(); ++i)
        out += std::to_string(i) + ": " + (results[i].ok() ? "ok" : results[i].error) + "\n";
    return out;
}

/// Lines of `ip route show` output that mention proto 250, both families.
int kernel_faild_routes() {
    auto r = run("{ ip -4 route show table all proto 250; ip -6 route show table all proto 250; } | wc -l");
    return std::atoi(r.output.c_str());
}

/// The routes of `changes` that `listed` lacks or holds otherwise: how
/// many, and the first few ("" when none). One check instead of 1,000.
std::string differences(const route_set& listed, const std::vector<route_change>& changes) {
    std::string some;
    int n = 0;
    for (const auto& c : changes) {
        auto it = listed.find(c.r.dst);
        if (it != listed.end() && it->second == c.r) continue;
        if (n++ < 5) some += "\n  " + contract::show(c.r);
    }
    return n == 0 ? "" : std::to_string(n) + " missing or different, e.g." + some;
}

/// The same for a batch's results: how many differ from `want`, the first few.
std::string unexpected(const std::vector<op_result>& results, std::size_t count, const std::string& want) {
    if (results.size() != count) return std::to_string(results.size()) + " results for " + std::to_string(count);
    std::string some;
    int n = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].error == want) continue;
        if (n++ < 5) some += "\n  " + std::to_string(i) + ": " + (results[i].ok() ? "ok" : results[i].error);
    }
    return n == 0 ? "" : std::to_string(n) + " unexpected, e.g." + some;
}

}  // namespace

TEST_CASE("linux route_table: one batch mixes add, replace and remove, applied in order") {
    lab net;
    INFO(net.snapshot());
    auto table = open_table();
    using k = route_change::kind;
    const route x = contract::make(ip("192.0.2.20"), ip("198.51.100.2"), net.b(), ip("192.0.2.1"));
    const route y = contract::make(ip("2001:db8:a::21"), ip("fe80::b1"), net.b(), ip("2001:db8:a::1"));
    const route y_moved = contract::make(y.dst, contract::other_b_v6, net.b(), contract::our_b_v6);
    const route z = contract::make(ip("192.0.2.22"), ip("198.51.100.2"), net.b(), ip("192.0.2.1"));
    const route w = contract::make(ip("2001:db8:a::23"), ip("2001:db8:b::2"), net.b(), ip("2001:db8:a::1"));
    const route x_back = contract::make(x.dst, contract::other_a_v4, net.a(), contract::our_b_v4);
    REQUIRE(table->add(x).ok());
    REQUIRE(table->add(y).ok());
    REQUIRE(contract::listed(*table) == contract::show(x) + "; " + contract::show(y));

    auto results = table->apply({change(k::remove, x), change(k::replace, y_moved), change(k::add, z),
                                 change(k::add, w),
                                 // the destination removed above, added again
                                 // with other fields: order counts
                                 change(k::add, x_back)});
    CHECK(outcomes(results) == "0: ok\n1: ok\n2: ok\n3: ok\n4: ok\n");
    CHECK(contract::listed(*table) == contract::show(x_back) + "; " + contract::show(z) + "; " +
                                          contract::show(y_moved) + "; " + contract::show(w));
    CHECK(run("ip -4 route show table main 192.0.2.20").output ==
          "192.0.2.20 via 192.0.2.3 dev a0 proto 250 src 198.51.100.1 \n");

    // An empty batch is no request at all, and the table still reads.
    CHECK(table->apply({}).empty());
    CHECK(kernel_faild_routes() == 4);
}

TEST_CASE("linux route_table: a change failing in the middle of a batch stops nothing, reported at its index") {
    lab net;
    INFO(net.snapshot());
    // Somebody else's routes, for destinations we are about to ask for.
    net.host(
        "route add 192.0.2.39/32 via 198.51.100.2 dev b0 src 192.0.2.1 proto static\n"
        "route add 2001:db8:a::39/128 via fe80::b1 dev b0 src 2001:db8:a::1 proto static\n");
    const std::string foreign_before =
        run("ip -4 route show proto static; ip -6 route show proto static").output;
    REQUIRE(foreign_before.find("192.0.2.39") != std::string::npos);
    REQUIRE(foreign_before.find("2001:db8:a::39") != std::string::npos);
    auto table = open_table();
    std::string error;
    using k = route_change::kind;
    auto v4 = [&](const char* dst) { return contract::make(ip(dst), ip("198.51.100.2"), net.b(), ip("192.0.2.1")); };
    const route mine = v4("192.0.2.30");
    const route mine_moved = contract::make(mine.dst, contract::other_b_v4, net.b(), contract::our_a_v4);
    REQUIRE(table->add(mine).ok());

    auto results = table->apply({
        change(k::add, v4("192.0.2.31")),                                                          // 0
        change(k::add, v4("192.0.2.39")),                                                          // 1 foreign
        change(k::add, v4("192.0.2.32")),                                                          // 2
        change(k::replace, contract::make(ip("192.0.2.39"), contract::other_b_v4, net.b(),
                                          contract::our_a_v4)),                                    // 3 foreign
        change(k::replace, contract::make(ip("2001:db8:a::39"), contract::other_b_v6, net.b(),
                                          contract::our_a_v6)),                                    // 4 foreign
        change(k::replace, mine_moved),                                                            // 5
        change(k::remove, v4("192.0.2.38")),                                                       // 6 missing
        change(k::remove, contract::make(ip("192.0.2.39"), {}, {}, {})),                           // 7 foreign
        change(k::add, v4("192.0.2.31")),                                                          // 8 dup of 0
        change(k::add, contract::make(ip("192.0.2.33"), ip("2001:db8:b::2"), net.b(),
                                      ip("192.0.2.1"))),                                           // 9 malformed
        change(k::add, contract::make(ip("192.0.2.34"), ip("203.0.113.1"), net.b(),
                                      ip("192.0.2.1"))),                                           // 10 off-link
        change(k::add, contract::make(ip("192.0.2.35"), ip("198.51.100.2"), {"nosuch0", 0},
                                      ip("192.0.2.1"))),                                           // 11 no dev
        change(k::add, v4("192.0.2.36")),                                                          // 12
    });
    REQUIRE(results.size() == 13);
    CHECK(results[0].error == "");
    CHECK(results[1].error == "route exists (not faild's)");
    CHECK(results[2].error == "");
    CHECK(results[3].error == "route exists (not faild's)");
    CHECK(results[4].error == "route exists (not faild's)");
    CHECK(results[5].error == "");
    CHECK(results[6].error == "no such route");
    CHECK(results[7].error == "no such route");
    CHECK(results[8].error == "route exists");
    CHECK(results[9].error == "address families differ (dst 192.0.2.33, via 2001:db8:b::2)");
    CHECK_MESSAGE(results[10].error.find("gateway") != std::string::npos, results[10].error);
    CHECK(results[11].error == "no such interface nosuch0");
    CHECK(results[12].error == "");
    // The foreign routes are exactly as they were.
    CHECK(run("ip -4 route show proto static; ip -6 route show proto static").output == foreign_before);
    CHECK(contract::listed(*table) == contract::show(mine_moved) + "; " + contract::show(v4("192.0.2.31")) + "; " +
                                          contract::show(v4("192.0.2.32")) + "; " + contract::show(v4("192.0.2.36")));
}

TEST_CASE("linux route_table: a replace in a batch never swaps out a foreign route, even one listed before") {
    lab net;
    INFO(net.snapshot());
    auto table = open_table();
    using k = route_change::kind;
    const route r4 = contract::make(ip("192.0.2.40"), ip("198.51.100.2"), net.b(), ip("192.0.2.1"));
    REQUIRE(table->add(r4).ok());
    // Ours goes behind the table's back and somebody else's takes the key;
    // a list() in between (as the reconciler runs it) learns that.
    net.host(
        "route del 192.0.2.40/32 proto 250\n"
        "route add 192.0.2.40/32 via 198.51.100.2 dev b0 proto static\n");
    CHECK(contract::listed(*table) == "");
    auto results = table->apply({change(k::replace, contract::make(r4.dst, contract::other_b_v4, net.b(),
                                                                   contract::our_a_v4))});
    CHECK(outcomes(results) == "0: route exists (not faild's)\n");
    CHECK(run("ip -4 route show 192.0.2.40").output == "192.0.2.40 via 198.51.100.2 dev b0 proto static \n");
}

TEST_CASE("linux route_table: 1,000 routes in one batch all land, change and go") {
    lab net;
    INFO(net.snapshot());
    auto table = open_table();
    std::string error;
    using k = route_change::kind;
    // 746 IPv6 /128s in 2001:db8:c::/64 via the peer's link-local, and 254
    // IPv4 /32s in 203.0.113.0/24 via its LAN B address: 1,000 in all, more
    // than three chunks, both families in one batch.
    std::vector<route_change> adds, replaces, removes;
    char text[64];
    for (int i = 1; i <= 746; ++i) {
        std::snprintf(text, sizeof text, "2001:db8:c::%x", i);
        adds.push_back(change(k::add, contract::make(ip(text), contract::peer_b_ll, net.b(), contract::our_a_v6)));
        replaces.push_back(
            change(k::replace, contract::make(ip(text), contract::other_b_v6, net.b(), contract::our_b_v6)));
    }
    for (int i = 1; i <= 254; ++i) {
        std::snprintf(text, sizeof text, "203.0.113.%d", i);
        adds.push_back(change(k::add, contract::make(ip(text), contract::peer_b_v4, net.b(), contract::our_a_v4)));
        replaces.push_back(
            change(k::replace, contract::make(ip(text), contract::other_b_v4, net.b(), contract::our_b_v4)));
    }
    REQUIRE(adds.size() == 1000);
    for (const auto& c : adds) removes.push_back(change(k::remove, c.r));
    CHECK(unexpected(table->apply(adds), 1000, "") == "");
    CHECK(kernel_faild_routes() == 1000);
    auto listed = table->list(error);
    REQUIRE_MESSAGE(listed, error);
    CHECK(listed->size() == 1000);
    CHECK(differences(*listed, adds) == "");

    // All of them again: 1,000 refusals (larger answers than ACKs) in one batch.
    CHECK(unexpected(table->apply(adds), 1000, "route exists") == "");

    CHECK(unexpected(table->apply(replaces), 1000, "") == "");
    listed = table->list(error);
    REQUIRE_MESSAGE(listed, error);
    CHECK(listed->size() == 1000);
    CHECK(differences(*listed, replaces) == "");

    CHECK(unexpected(table->apply(removes), 1000, "") == "");
    CHECK(kernel_faild_routes() == 0);
    CHECK(contract::listed(*table) == "");
    CHECK(unexpected(table->apply(removes), 1000, "no such route") == "");
}

// ---------------------------------------------------------------- links

TEST_CASE("linux link_source: lists the veths with addresses, flags and MAC") {
    lab net;
    INFO(net.snapshot());
    auto all = links_now();

    const interface_info* lo = find(all, "lo");
    REQUIRE(lo);
    CHECK(lo->loopback);
    CHECK(lo->up);
    CHECK(lo->mac == "");
    CHECK(find(*lo, "127.0.0.1/8"));

    const interface_info* a0 = find(all, "a0");
    REQUIRE(a0);
    CHECK(a0->ifindex == 20);
    CHECK(a0->ifindex == int(if_nametoindex("a0")));
    CHECK(a0->up);
    CHECK(a0->running);
    CHECK_FALSE(a0->loopback);
    CHECK(a0->mac == "02:00:00:00:0a:00");
    CHECK(a0->addrs.size() == 3);
    for (const char* p : {"192.0.2.1/24", "2001:db8:a::1/64", "fe80::a0/64"}) {
        const interface_address* addr = find(*a0, p);
        REQUIRE_MESSAGE(addr, p);
        CHECK_FALSE(addr->tentative);
        CHECK_FALSE(addr->dadfailed);
    }

    const interface_info* b0 = find(all, "b0");
    REQUIRE(b0);
    CHECK(b0->ifindex == 30);
    CHECK(b0->mac == "02:00:00:00:0b:00");
    CHECK(find(*b0, "198.51.100.1/24"));
    CHECK(find(*b0, "2001:db8:b::1/64"));
    CHECK_FALSE(find(all, "a1"));  // the far ends live in the peer namespace
}

TEST_CASE("linux link_source: carrier loss at the far end clears running, not up") {
    lab net;
    INFO(net.snapshot());
    net.peer("link set a1 down\n");
    CHECK(eventually([] {
        const std::vector<interface_info> all = links_now();  // outlives the pointer into it
        const interface_info* a0 = find(all, "a0");
        return a0 && !a0->running;
    }));
    auto all = links_now();
    const interface_info* a0 = find(all, "a0");
    REQUIRE(a0);
    CHECK(a0->up);
    CHECK_FALSE(a0->running);
    CHECK(find(*a0, "2001:db8:a::1/64"));  // carrier loss keeps static IPv6 addresses
    net.peer("link set a1 up\n");
    CHECK(eventually([] {
        const std::vector<interface_info> all = links_now();  // outlives the pointer into it
        const interface_info* a = find(all, "a0");
        return a && a->running;
    }));
}

TEST_CASE("linux link_source: IPv6 addresses are tentative during DAD, dadfailed when duplicate") {
    lab net;
    INFO(net.snapshot());
    // 2001:db8:a::2 belongs to the peer's a1: DAD on a0 must fail.
    net.host(
        "addr add 2001:db8:a::99/64 dev a0\n"
        "addr add 2001:db8:a::2/64 dev a0\n");
    {
        auto all = links_now();
        const interface_info* a0 = find(all, "a0");
        REQUIRE(a0);
        const interface_address* fresh = find(*a0, "2001:db8:a::99/64");
        REQUIRE(fresh);
        CHECK(fresh->tentative);
        CHECK_FALSE(fresh->dadfailed);
    }
    CHECK(eventually(
        [] {
            auto all = links_now();
            const interface_info* a0 = find(all, "a0");
            const interface_address* dup = a0 ? find(*a0, "2001:db8:a::2/64") : nullptr;
            const interface_address* fresh = a0 ? find(*a0, "2001:db8:a::99/64") : nullptr;
            return dup && dup->dadfailed && dup->tentative && fresh && !fresh->tentative;
        },
        8000));
}

// ---------------------------------------------------------------- probe sockets

TEST_CASE("linux probe_socket: IPv4 broadcast crosses the wire with its source and TTL 255") {
    lab net;
    INFO(net.snapshot());
    auto ours = open_socket("a0", family::v4, port);
    auto theirs = net.in_peer([] { return open_socket("a1", family::v4, port); });
    std::vector<std::uint8_t> buf(1500);

    send(*theirs, "192.0.2.255", port, "INQ 1");
    auto d = receive_within(*ours, buf, 2000);
    REQUIRE(d);
    CHECK(text(buf, *d) == "INQ 1");
    CHECK(d->from == ip("192.0.2.2"));
    CHECK(d->from_port == port);
    CHECK(d->ttl == 255);

    send(*ours, "192.0.2.2", port, "ACK 1");
    d = receive_from_other(*theirs, buf, "192.0.2.2", 2000);
    REQUIRE(d);
    CHECK(text(buf, *d) == "ACK 1");
    CHECK(d->from == ip("192.0.2.1"));
    CHECK(d->ttl == 255);

    CHECK_FALSE(ours->receive(buf.data(), buf.size()));  // empty now: nullopt, no blocking
}

TEST_CASE("linux probe_socket: each datagram carries when the kernel queued it, not when it was read") {
    lab net;
    INFO(net.snapshot());
    auto ours = open_socket("a0", family::v4, port);
    auto theirs = net.in_peer([] { return open_socket("a1", family::v4, port); });
    auto wall = [] {
        return std::chrono::duration_cast<wall_stamp>(std::chrono::system_clock::now().time_since_epoch());
    };
    pollfd p{ours->fd(), POLLIN, 0};
    // The kernel turns receive stamps on for the whole host a moment after
    // the first socket asks (a deferred static key): until then a datagram
    // is stamped when read. Wait until one is stamped on arrival.
    bool on_arrival = false;
    for (int tries = 0; !on_arrival && tries < 200; ++tries) {
        send(*theirs, "192.0.2.1", port, "WARM");
        REQUIRE(poll(&p, 1, 2000) == 1);
        const wall_stamp polled = wall();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        ours->receive_batch([&](const datagram& d, const std::uint8_t*) {
            if (d.arrived && *d.arrived <= polled) on_arrival = true;
        });
    }
    REQUIRE(on_arrival);
    while (ours->receive_batch([](const datagram&, const std::uint8_t*) {})) {
    }
    const wall_stamp before = wall();
    send(*theirs, "192.0.2.1", port, "INQ 1");
    REQUIRE(poll(&p, 1, 2000) == 1);
    const wall_stamp queued = wall();
    // Read 50 ms later (a stalled faild), after a second one came: each
    // stamp says when its datagram came.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const wall_stamp later = wall();
    send(*theirs, "192.0.2.1", port, "INQ 2");
    std::vector<wall_stamp> stamps;
    for (int tries = 0; stamps.size() < 2 && tries < 2000; ++tries) {
        REQUIRE(poll(&p, 1, 2000) == 1);
        ours->receive_batch([&](const datagram& d, const std::uint8_t*) {
            REQUIRE(d.arrived);
            stamps.push_back(*d.arrived);
        });
    }
    const wall_stamp read = wall();
    REQUIRE(stamps.size() == 2);
    CHECK(stamps[0] >= before);
    CHECK(stamps[0] <= queued);
    CHECK(read - stamps[0] >= std::chrono::milliseconds(50));
    CHECK(stamps[1] >= later);
    CHECK(stamps[1] <= read);
    // receive() reports it too.
    std::vector<std::uint8_t> buf(1500);
    send(*theirs, "192.0.2.1", port, "INQ 3");
    auto d = receive_within(*ours, buf, 2000);
    REQUIRE(d);
    REQUIRE(d->arrived);
    CHECK(*d->arrived >= stamps[1]);
}

TEST_CASE("daemon lan_sockets: drain_ready hands the engine what is queued, before any handler runs") {
    lab net;
    INFO(net.snapshot());
    auto lan_of = [](const char* name, const char* addr) {
        lan l;
        l.name = name;
        l.ifindex = int(if_nametoindex(name));
        l.addrs.push_back(*prefix::parse(addr));
        return l;
    };
    engine_config cfg;
    cfg.node_id = "h1";
    engine ours(cfg, {lan_of("a0", "192.0.2.1/24")}, ms(0));
    boost::asio::io_context io;  // never run: only drain_ready reads
    bool stopping = false;
    engine_output handled;
    lan_sockets sockets(io, ours, port, [](const event&) {}, [&](engine_output& o) { handled = o; }, stopping);
    std::string error;
    REQUIRE_MESSAGE(sockets.open_all(error), error);

    engine_output out;
    sockets.drain_ready(out);  // nothing queued: nothing read, nothing blocks
    CHECK(ours.peers().empty());

    // h2's round INQ, sent to us from the peer namespace.
    engine_config peer_cfg;
    peer_cfg.node_id = "h2";
    peer_cfg.requestor = true;
    engine theirs(peer_cfg, {lan_of("a1", "192.0.2.2/24")}, ms(0));
    engine_output inq;
    theirs.tick(ms(0), inq);
    auto peer_socket = net.in_peer([] { return open_socket("a1", family::v4, port); });
    std::size_t sent = 0;
    for (const auto& o : inq.sends)
        if (o.dst.is_v4()) {
            std::string send_error;
            REQUIRE_MESSAGE(peer_socket->send_to(ip("192.0.2.1"), port, o.bytes.data(), o.bytes.size(), send_error),
                            send_error);
            ++sent;
        }
    REQUIRE(sent > 0);
    REQUIRE(eventually([&] {
        sockets.drain_ready(out);
        return !ours.peers().empty();
    }));
    CHECK(ours.peers().count("h2") == 1);
    CHECK(handled.sends.empty());  // read by drain_ready, not by a socket handler (io never ran)
    CHECK_FALSE(out.sends.empty());  // our ACK, for the caller to send
}

TEST_CASE("linux probe_socket: a datagram longer than the buffer is dropped, not truncated") {
    lab net;
    INFO(net.snapshot());
    auto ours = open_socket("a0", family::v4, port);
    auto theirs = net.in_peer([] { return open_socket("a1", family::v4, port); });
    send(*theirs, "192.0.2.1", port, std::string(100, 'x'));
    send(*theirs, "192.0.2.1", port, "short");
    std::vector<std::uint8_t> small(16);
    auto d = receive_within(*ours, small, 2000);
    REQUIRE(d);
    CHECK(text(small, *d) == "short");
}

TEST_CASE("linux probe_socket: receive_batch reads a batch in one go, says when it was full, reports oversize") {
    lab net;
    INFO(net.snapshot());
    auto ours = open_socket("a0", family::v4, port);
    auto theirs = net.in_peer([] { return open_socket("a1", family::v4, port); });
    // 11 datagrams: one too long for a batch buffer (wire::max_size), ten probes.
    send(*theirs, "192.0.2.1", port, std::string(3000, 'x'));
    for (int i = 0; i < 10; ++i) send(*theirs, "192.0.2.1", port, "INQ " + std::to_string(i));
    pollfd p{ours->fd(), POLLIN, 0};
    REQUIRE(poll(&p, 1, 2000) == 1);
    std::vector<std::string> got;
    std::vector<int> ttls;
    auto collect = [&](const datagram& d, const std::uint8_t* data) {
        got.emplace_back(reinterpret_cast<const char*>(data), d.size);
        ttls.push_back(d.ttl);
        CHECK(d.from == ip("192.0.2.2"));
    };
    std::vector<datagram> oversize;
    auto too_long = [&](const datagram& d) { oversize.push_back(d); };
    // Local delivery is done when send() returns: all eleven wait now.
    CHECK(ours->receive_batch(collect, too_long));  // 8 read (the long one apart): full, more may wait
    CHECK(got.size() == 7);
    REQUIRE(oversize.size() == 1);  // reported with its sender and real size, not decoded
    CHECK(oversize[0].from == ip("192.0.2.2"));
    CHECK(oversize[0].size == 3000);
    CHECK_FALSE(ours->receive_batch(collect, too_long));  // the last 3: not full, so the queue is empty
    REQUIRE(got.size() == 10);
    for (int i = 0; i < 10; ++i) CHECK(got[std::size_t(i)] == "INQ " + std::to_string(i));
    for (int t : ttls) CHECK(t == 255);
    CHECK_FALSE(ours->receive_batch(collect, too_long));  // nothing: no blocking
    CHECK(got.size() == 10);
    CHECK(oversize.size() == 1);
}

TEST_CASE("linux probe_socket: the largest valid datagram arrives whole, one byte more is reported oversize") {
    lab net;
    INFO(net.snapshot());
    // The largest message the protocol allows: longest node id, every
    // address IPv6, the longest heard list of the longest ids, a target,
    // signed.
    wire::message m;
    m.kind = wire::type::inq;
    m.node_id = std::string(wire::max_node_id, 'n');
    m.incarnation = 1;
    m.seq = 1;
    m.interval_us = 100'000;
    m.addresses.assign(wire::max_addresses, ip("2001:db8:a::2"));
    m.heard.assign(wire::max_heard, std::string(wire::max_node_id, 'h'));
    m.target = ip("2001:db8:a::1");
    keyring keys;
    std::string error;
    REQUIRE(keys.parse(std::string(64, 'a'), "test", error));
    const wire::lan_binding lan_a{family::v6, *prefix::parse("2001:db8:a::/64")};
    const auto largest = wire::encode(m, keys, lan_a);
    REQUIRE(largest.size() == wire::max_size);  // 2,757 bytes (PROTOCOL.md)
    const std::string whole(largest.begin(), largest.end());

    for (family fam : {family::v4, family::v6}) {
        INFO((fam == family::v4 ? "IPv4" : "IPv6"));
        const char* to = fam == family::v4 ? "192.0.2.1" : "2001:db8:a::1";
        const char* from = fam == family::v4 ? "192.0.2.2" : "2001:db8:a::2";
        auto ours = open_socket("a0", fam, port);
        auto theirs = net.in_peer([&] { return open_socket("a1", fam, port); });
        send(*theirs, to, port, whole);
        send(*theirs, to, port, whole + "x");
        std::vector<std::vector<std::uint8_t>> got;
        std::vector<datagram> oversize;
        auto both_in = [&] {
            ours->receive_batch(
                [&](const datagram& d, const std::uint8_t* data) {
                    CHECK(d.from == ip(from));
                    got.emplace_back(data, data + d.size);
                },
                [&](const datagram& d) { oversize.push_back(d); });
            return got.size() + oversize.size() >= 2;
        };
        REQUIRE(eventually(both_in));
        REQUIRE(got.size() == 1);
        CHECK(got[0] == largest);  // whole, and it decodes
        CHECK(std::holds_alternative<wire::message>(wire::decode(got[0].data(), got[0].size(), keys, {lan_a})));
        REQUIRE(oversize.size() == 1);
        CHECK(oversize[0].from == ip(from));
        CHECK(oversize[0].size == wire::max_size + 1);
    }
}

TEST_CASE("linux probe_socket: the sender hears its own IPv4 broadcast, not its IPv6 multicast") {
    lab net;
    INFO(net.snapshot());
    std::vector<std::uint8_t> buf(1500);
    // The kernel loops every IPv4 broadcast back to local sockets, whatever
    // IP_MULTICAST_LOOP says: the core must drop datagrams carrying its own
    // node id.
    auto ours = open_socket("a0", family::v4, port);
    send(*ours, "192.0.2.255", port, "INQ 1");
    auto d = receive_within(*ours, buf, 1000);
    REQUIRE(d);
    CHECK(d->from == ip("192.0.2.1"));
    // Multicast loop is off on probe sockets.
    auto ours6 = open_socket("a0", family::v6, port);
    send(*ours6, "ff02::1", port, "INQ 6");
    CHECK_FALSE(receive_within(*ours6, buf, 300));
}

TEST_CASE("linux probe_socket: drop_matching keeps matching datagrams out, in the kernel, the rest pass in order") {
    lab net;
    INFO(net.snapshot());
    std::vector<std::uint8_t> buf(1500);
    auto ours = open_socket("a0", family::v4, port);
    auto theirs = net.in_peer([] { return open_socket("a1", family::v4, port); });
    // Fields as faild's own datagrams carry them: a magic, a length byte, a
    // 4-byte number and a name (3 bytes: one word load would not cover it).
    const std::vector<payload_field> fields = {{0, {'F', 'D'}}, {5, {3}}, {8, {1, 2, 3, 4}}, {20, {'h', '1', 'x'}}};
    REQUIRE(ours->drop_matching(fields));
    auto make = [](std::uint8_t last, const char* name) {
        std::string d(20, '\0');
        d[0] = 'F', d[1] = 'D', d[5] = 3, d[8] = 1, d[9] = 2, d[10] = 3, d[11] = char(last);
        return d + name + " and more";
    };
    // Our own broadcast comes back to us from the kernel: dropped. Datagrams
    // that differ in one byte of one field, or that are too short to hold
    // the fields, pass, in the order sent (loopback delivery is done when
    // send() returns, so the dropped one would have been read first).
    send(*ours, "192.0.2.255", port, make(4, "h1x"));
    send(*ours, "192.0.2.255", port, make(5, "h1x"));
    send(*ours, "192.0.2.255", port, make(4, "h1y"));
    send(*ours, "192.0.2.255", port, "FD");
    for (const std::string& want : {make(5, "h1x"), make(4, "h1y"), std::string("FD")}) {
        auto d = receive_within(*ours, buf, 2000);
        REQUIRE(d);
        CHECK(text(buf, *d) == want);
    }
    // The filter reads the payload, not the sender: the same bytes from the
    // peer are dropped too; what it sends next arrives.
    send(*theirs, "192.0.2.1", port, make(4, "h1x"));
    send(*theirs, "192.0.2.1", port, "next");
    auto d = receive_within(*ours, buf, 2000);
    REQUIRE(d);
    CHECK(text(buf, *d) == "next");
    CHECK(d->from == ip("192.0.2.2"));
    CHECK_FALSE(ours->receive(buf.data(), buf.size()));
}

TEST_CASE("linux probe_socket: IPv6 link-local multicast and unicast with hop limit 255") {
    lab net;
    INFO(net.snapshot());
    auto ours = open_socket("a0", family::v6, port);
    auto theirs = net.in_peer([] { return open_socket("a1", family::v6, port); });
    std::vector<std::uint8_t> buf(1500);

    send(*theirs, "ff02::1", port, "INQ 6");  // all-nodes: no group to join
    auto d = receive_within(*ours, buf, 2000);
    REQUIRE(d);
    CHECK(text(buf, *d) == "INQ 6");
    CHECK(d->from == ip("fe80::a1"));
    CHECK(d->ttl == 255);

    send(*ours, "fe80::a1", port, "ACK 6");
    d = receive_within(*theirs, buf, 2000);
    REQUIRE(d);
    CHECK(d->from == ip("fe80::a0"));
    CHECK(d->ttl == 255);

    send(*theirs, "2001:db8:a::1", port, "INQ 7");
    d = receive_within(*ours, buf, 2000);
    REQUIRE(d);
    CHECK(d->from == ip("2001:db8:a::2"));
    CHECK(d->ttl == 255);
}

TEST_CASE("linux probe_socket: SO_BINDTODEVICE keeps LAN B's datagrams off LAN A's socket") {
    lab net;
    INFO(net.snapshot());
    // The peer has failed over: our LAN-A address is reached through LAN B.
    net.peer("route add 192.0.2.1/32 via 198.51.100.1 dev b1\n");
    auto on_a = open_socket("a0", family::v4, port);
    auto on_b = open_socket("b0", family::v4, port);
    auto peer_b = net.in_peer([] { return open_socket("b1", family::v4, port); });
    std::vector<std::uint8_t> buf(1500);

    send(*peer_b, "192.0.2.1", port, "to A over B");
    auto d = receive_within(*on_b, buf, 2000);
    REQUIRE(d);
    CHECK(text(buf, *d) == "to A over B");
    send(*peer_b, "198.51.100.255", port, "B broadcast");
    CHECK(receive_within(*on_b, buf, 2000));
    CHECK_FALSE(receive_within(*on_a, buf, 300));

    // Why: a socket without the device binding takes the LAN-B datagram for
    // our LAN-A address, and a dead LAN A would look alive.
    int plain = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port + 1);
    REQUIRE(bind(plain, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
    send(*peer_b, "192.0.2.1", port + 1, "to A over B");
    pollfd p{plain, POLLIN, 0};
    CHECK(poll(&p, 1, 2000) == 1);
    close(plain);
}

TEST_CASE("linux probe_socket: a second socket on the same port and device fails clearly") {
    lab net;
    INFO(net.snapshot());
    auto first = open_socket("a0", family::v4, port);
    std::string error;
    CHECK_FALSE(open_probe_socket("a0", family::v4, port, error));
    CHECK(error == "port 7793 on a0 already in use (another faild?)");

    // What may share the port: another device, the other family.
    auto other_device = open_socket("b0", family::v4, port);
    auto other_family = open_socket("a0", family::v6, port);
    error.clear();
    CHECK_FALSE(open_probe_socket("a0", family::v6, port, error));
    CHECK(error == "port 7793 on a0 already in use (another faild?)");

    error.clear();
    CHECK_FALSE(open_probe_socket("nosuch0", family::v4, port, error));
    CHECK(error == "no such interface nosuch0");
}

TEST_CASE("linux probe_socket: IPv6 probe group joined on its own interface only, ACK to the link-local source") {
    lab net;
    INFO(net.snapshot());
    const ip_address group = ip("ff02::fa1d");
    std::vector<std::uint8_t> buf(1500);
    {
        // Without the join the device drops the group's datagrams.
        auto unjoined = open_socket("a0", family::v6, port);
        auto theirs = net.in_peer([] { return open_socket("a1", family::v6, port); });
        send(*theirs, "ff02::fa1d", port, "INQ 0");
        CHECK_FALSE(receive_within(*unjoined, buf, 300));
    }
    auto ours = open_group_socket("a0", group);
    auto other = open_group_socket("b0", group);  // same group and port, other LAN
    auto theirs = net.in_peer([&] { return open_group_socket("a1", group); });
    auto theirs_b = net.in_peer([&] { return open_group_socket("b1", group); });
    CHECK(run("ip -6 maddr show dev a0").output.find("ff02::fa1d") != std::string::npos);
    CHECK(run("ip -6 maddr show dev b0").output.find("ff02::fa1d") != std::string::npos);

    send(*theirs, "ff02::fa1d", port, "INQ 1");
    auto d = receive_within(*ours, buf, 2000);
    REQUIRE(d);
    CHECK(text(buf, *d) == "INQ 1");
    CHECK(d->from == ip("fe80::a1"));  // the sender's link-local address
    CHECK(d->from_port == port);
    CHECK(d->ttl == 255);
    CHECK_FALSE(receive_within(*other, buf, 300));  // joined too, but it came in on a0
    CHECK_FALSE(theirs->receive(buf.data(), buf.size()));  // no loopback of our own multicast

    // The ACK goes by unicast to that link-local source, scoped to a0.
    std::string error;
    const std::string ack = "ACK 1";
    REQUIRE_MESSAGE(ours->send_to(d->from, d->from_port, reinterpret_cast<const std::uint8_t*>(ack.data()),
                                  ack.size(), error),
                    error);
    auto r = receive_within(*theirs, buf, 2000);
    REQUIRE(r);
    CHECK(text(buf, *r) == "ACK 1");
    CHECK(r->from == ip("fe80::a0"));
    CHECK(r->ttl == 255);
    CHECK_FALSE(theirs_b->receive(buf.data(), buf.size()));

    // And LAN B's group traffic reaches LAN B's socket only.
    send(*theirs_b, "ff02::fa1d", port, "INQ B");
    d = receive_within(*other, buf, 2000);
    REQUIRE(d);
    CHECK(text(buf, *d) == "INQ B");
    CHECK(d->from == ip("fe80::b1"));
    CHECK(d->ttl == 255);
    CHECK_FALSE(receive_within(*ours, buf, 300));
}

TEST_CASE("linux probe_socket: IPv6 open fails readably where the interface has no IPv6") {
    lab net;  // the sysctls and MTU changed here are the lab namespace's own
    INFO(net.snapshot());
    const ip_address group = ip("ff02::fa1d");
    std::string error;
    write_file("/proc/sys/net/ipv6/conf/b0/disable_ipv6", "1");
    // The kernel itself would let the join succeed and only fail sends.
    CHECK_FALSE(open_probe_socket("b0", family::v6, port, error, &group));
    CHECK(error == "IPv6 is disabled on b0 (net.ipv6.conf.b0.disable_ipv6 = 1)");
    error.clear();
    CHECK_FALSE(open_probe_socket("b0", family::v6, port, error));
    CHECK(error == "IPv6 is disabled on b0 (net.ipv6.conf.b0.disable_ipv6 = 1)");
    error.clear();
    CHECK_MESSAGE(open_probe_socket("b0", family::v4, port, error), error);  // IPv4 still fine there

    // Below 1280 bytes of MTU the kernel drops the interface's IPv6 state.
    net.host("link set a0 mtu 1200\n");
    error.clear();
    CHECK_FALSE(open_probe_socket("a0", family::v6, port, error, &group));
    CHECK(error == "IPv6 is not available on a0 (the kernel keeps no IPv6 state for it: MTU below 1280?)");

    // Groups that are no probe group.
    net.host("link set a0 mtu 1500\n");
    const ip_address v4_group = ip("224.0.0.250");
    const ip_address site_group = ip("ff05::fa1d");
    const ip_address unicast = ip("fe80::a1");
    error.clear();
    CHECK_FALSE(open_probe_socket("a0", family::v4, port, error, &v4_group));
    CHECK(error == "IPv4 probe sockets join no multicast group (asked for 224.0.0.250 on a0)");
    error.clear();
    CHECK_FALSE(open_probe_socket("a0", family::v6, port, error, &site_group));
    CHECK(error == "probe group ff05::fa1d is not a link-local IPv6 multicast address (ff02::/16)");
    error.clear();
    CHECK_FALSE(open_probe_socket("a0", family::v6, port, error, &unicast));
    CHECK(error == "probe group fe80::a1 is not a link-local IPv6 multicast address (ff02::/16)");
}

// ---------------------------------------------------------------- link monitor

TEST_CASE("linux link_monitor: quiet when idle, reports addresses, DAD, carrier and links") {
    lab net;
    INFO(net.snapshot());
    auto mon = open_monitor();
    int rcvbuf = 0;
    socklen_t len = sizeof rcvbuf;
    REQUIRE(getsockopt(mon->fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len) == 0);
    CHECK(rcvbuf >= 4 << 20);  // DESIGN.md: 4 MiB for event sockets

    settle(*mon);
    CHECK_FALSE(mon->drain());
    pollfd p{mon->fd(), POLLIN, 0};
    CHECK(poll(&p, 1, 0) == 0);

    // A new IPv6 address: one notification now, tentative ...
    net.host("addr add 2001:db8:a::77/64 dev a0\n");
    auto added = std::chrono::steady_clock::now();
    CHECK(change_within(*mon, 1000));
    CHECK_FALSE(mon->drain());  // nothing more yet
    CHECK(is_tentative("a0", "2001:db8:a::77/64"));
    // ... and another one when DAD is done (RTM_NEWADDR, tentative cleared):
    // 1-2 s here, a random delay up to 1 s and then one probe and 1 s.
    CHECK(change_within(*mon, 3500));
    auto dad_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - added).count();
    MESSAGE("DAD of 2001:db8:a::77 done after " << dad_ms << " ms");
    CHECK_FALSE(is_tentative("a0", "2001:db8:a::77/64"));
    CHECK(find(*find(links_now(), "a0"), "2001:db8:a::77/64"));

    // One change at a time: the monitor is quiet first, then the command
    // in the lab's host (or at the wire's far end) must be reported.
    auto reported = [&](bool far_end, const char* command) {
        settle(*mon);
        far_end ? net.peer(command) : net.host(command);
        return change_within(*mon, 1000);
    };
    CHECK(reported(false, "addr add 192.0.2.77/24 dev a0\n"));

    // Carrier loss: the far end of the wire goes down, our end stays up.
    CHECK(reported(true, "link set a1 down\n"));
    {
        auto all = links_now();
        const interface_info* a0 = find(all, "a0");
        REQUIRE(a0);
        CHECK(a0->up);
        CHECK_FALSE(a0->running);
    }
    CHECK(reported(true, "link set a1 up\n"));
    CHECK(eventually([] {
        const std::vector<interface_info> all = links_now();  // outlives the pointer into it
        const interface_info* a0 = find(all, "a0");
        return a0 && a0->running;
    }));

    CHECK(reported(false, "addr del 2001:db8:a::77/64 dev a0\n"));
    CHECK(reported(false, "addr del 192.0.2.77/24 dev a0\n"));

    // Links that come and go.
    CHECK(reported(false, "link add c0 index 40 type veth peer name c1 index 41\n"));
    CHECK(reported(false, "link del c0\n"));

    settle(*mon);
    CHECK_FALSE(mon->drain());
}

TEST_CASE("linux link_monitor: an overflow counts as a change, and draining goes on after it") {
    lab net;
    INFO(net.snapshot());
    std::string error;
    // The smallest buffer the kernel allows: a handful of notifications.
    auto mon = netlink_link_monitor::open(error, 1);
    REQUIRE_MESSAGE(mon, error);
    settle(*mon);
    CHECK(netlink_drops(mon->fd()) == 0);

    std::string batch;
    for (int i = 1; i <= 1000; ++i) batch += "addr add 2001:db8:a::1:" + std::to_string(i) + "/64 dev a0 nodad\n";
    for (int i = 1; i <= 1000; ++i) batch += "addr del 2001:db8:a::1:" + std::to_string(i) + "/64 dev a0\n";
    net.host(batch);
    long drops = netlink_drops(mon->fd());
    MESSAGE(drops << " notifications dropped");
    CHECK(drops > 1000);  // the overflow really happened

    CHECK(mon->drain());
    settle(*mon);
    CHECK_FALSE(mon->drain());
    pollfd p{mon->fd(), POLLIN, 0};
    CHECK(poll(&p, 1, 0) == 0);

    // Still subscribed, still working.
    net.host("addr add 2001:db8:a::88/64 dev a0 nodad\n");
    CHECK(change_within(*mon, 1000));
    CHECK_FALSE(mon->drain());
    CHECK(netlink_drops(mon->fd()) == drops);
}

TEST_CASE("linux link_monitor: the overflow alone is a change, messages not from the kernel are not") {
    lab net;
    INFO(net.snapshot());
    std::string error;
    auto mon = netlink_link_monitor::open(error, 1);
    REQUIRE_MESSAGE(mon, error);
    settle(*mon);
    sockaddr_nl monitor_addr{};
    socklen_t len = sizeof monitor_addr;
    REQUIRE(getsockname(mon->fd(), reinterpret_cast<sockaddr*>(&monitor_addr), &len) == 0);

    // Another process (root may) sends an RTM_NEWADDR-looking message
    // straight to the monitor's port: not the kernel's word.
    owned_fd sender;
    sender.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    REQUIRE(sender.fd >= 0);
    sockaddr_nl own{};
    own.nl_family = AF_NETLINK;
    REQUIRE(bind(sender.fd, reinterpret_cast<sockaddr*>(&own), sizeof own) == 0);
    struct {
        nlmsghdr h;
        ifaddrmsg a;
    } fake{};
    fake.h.nlmsg_len = NLMSG_LENGTH(sizeof fake.a);
    fake.h.nlmsg_type = RTM_NEWADDR;
    fake.a.ifa_family = AF_INET6;
    fake.a.ifa_index = 20;
    auto send_fake = [&] {
        return sendto(sender.fd, &fake, fake.h.nlmsg_len, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&monitor_addr),
                      sizeof monitor_addr) >= 0;
    };
    REQUIRE(send_fake());
    CHECK_FALSE(mon->drain());

    // Fill the queue with such messages (userspace senders get EAGAIN, no
    // overflow), then let the kernel notify: its message is dropped, and
    // nothing of the kernel's is left in the queue. drain() must still say
    // "changed", from the ENOBUFS alone.
    int queued = 0;
    while (send_fake()) ++queued;
    REQUIRE(errno == EAGAIN);
    MESSAGE(queued << " foreign messages fill the smallest buffer");
    long before = netlink_drops(mon->fd());
    net.host("addr add 2001:db8:a::89/64 dev a0 nodad\n");
    CHECK(eventually([&] { return netlink_drops(mon->fd()) > before; }, 1000));
    CHECK(mon->drain());
    CHECK_FALSE(mon->drain());
}

// ---------------------------------------------------------------- privileges, sysctl

TEST_CASE("linux current_privileges: root holds CAP_NET_ADMIN and CAP_NET_RAW") {
    if (geteuid() != 0) skip("needs root");
    auto p = current_privileges();
    CHECK(p.net_admin);
    CHECK(p.net_raw);
}

TEST_CASE("linux current_privileges: reads the effective set, not the uid") {
    if (geteuid() != 0) skip("needs root");
    lab net;  // the child's device binding happens in the lab, not in the machine's namespace
    // In a child (the test process keeps its capabilities): drop both from
    // the effective set, then ask again; and bind a device without CAP_NET_RAW.
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct d[2] = {};
        if (syscall(SYS_capget, &h, d) != 0) _exit(10);
        d[0].effective &= ~((1u << CAP_NET_ADMIN) | (1u << CAP_NET_RAW));
        if (syscall(SYS_capset, &h, d) != 0) _exit(11);
        auto p = current_privileges();
        if (p.net_admin || p.net_raw) _exit(12);
        std::string error;
        // Since Linux 5.7 SO_BINDTODEVICE on an unbound socket needs no
        // capability.
        if (!open_probe_socket("a0", family::v4, port, error)) _exit(13);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);  // 12: still reported, 13: device binding refused
}

TEST_CASE("linux rp_filter_mode: the larger of conf/all and the interface's own") {
    lab net;  // the sysctls written here are the lab namespace's own
    INFO(net.snapshot());
    const std::string all = "/proc/sys/net/ipv4/conf/all/rp_filter";
    const std::string a0 = "/proc/sys/net/ipv4/conf/a0/rp_filter";
    write_file(all, "0");
    write_file(a0, "0");
    CHECK(rp_filter_mode("a0") == 0);
    write_file(a0, "2");
    CHECK(rp_filter_mode("a0") == 2);
    write_file(all, "1");
    CHECK(rp_filter_mode("a0") == 2);
    write_file(a0, "0");
    CHECK(rp_filter_mode("a0") == 1);
    CHECK(rp_filter_mode("nosuch0") == -1);
    CHECK(rp_filter_mode("../all") == -1);
    CHECK(rp_filter_mode("") == -1);
}

namespace {

/// Whether `fd` turns readable within `ms` (0: is it now).
bool readable_within(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

timestamp steady_now() {
    return std::chrono::duration_cast<timestamp>(std::chrono::steady_clock::now().time_since_epoch());
}

}  // namespace

TEST_CASE("linux wakeup_timer: readable from the armed steady-clock time on, until armed again") {
    std::string error;
    auto timer = open_wakeup_timer(error);
    REQUIRE_MESSAGE(timer, error);
    CHECK_FALSE(readable_within(timer->fd(), 0));  // opens disarmed

    // A time already past fires at once, also the clock's origin itself.
    REQUIRE(timer->arm(steady_now() - ms(1), error));
    CHECK(readable_within(timer->fd(), 0));
    REQUIRE(timer->arm(timestamp(0), error));
    CHECK(readable_within(timer->fd(), 0));

    // Arming again clears the expiry: nobody has to read the descriptor.
    REQUIRE(timer->arm(steady_now() + ms(10'000), error));
    CHECK_FALSE(readable_within(timer->fd(), 0));

    // Absolute steady-clock time: not before it, and soon after it.
    const timestamp at = steady_now() + ms(30);
    REQUIRE(timer->arm(at, error));
    CHECK_FALSE(readable_within(timer->fd(), 0));
    CHECK(readable_within(timer->fd(), 2000));
    CHECK(steady_now() >= at);

    // max() disarms: a pending expiry 20 ms out never comes.
    REQUIRE(timer->arm(steady_now() + ms(20), error));
    REQUIRE(timer->arm(timestamp::max(), error));
    CHECK_FALSE(readable_within(timer->fd(), 200));
}
