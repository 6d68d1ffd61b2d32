#include "faild/core/options.hpp"
#include "test/memory_config_fs.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <vector>

using namespace faild;

namespace {

/// An in-memory file system: path -> contents.
using fake_fs = test::memory_config_fs;

parse_result parse_with(const fake_fs& files, std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"faild"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_options(int(argv.size()), argv.data(), files.fs());
}

parse_result parse(std::initializer_list<const char*> args) { return parse_with(fake_fs{}, args); }

}  // namespace

TEST_CASE("options: the original's command line") {
    auto r = parse({"-r", "-t", "1", "-f", "3", "-s", "5"});
    REQUIRE(r.opts);
    CHECK(r.opts->requestor);
    CHECK(r.opts->interval == ms(1000));
    CHECK(r.opts->fail_after == 3);
    CHECK(r.opts->up_after == 5);
    CHECK(r.opts->port == default_port);
    CHECK(r.opts->log_file.empty());

    auto d = parse({});
    REQUIRE(d.opts);
    CHECK_FALSE(d.opts->requestor);
    CHECK(d.opts->interval == ms(1000));
    CHECK(d.opts->fail_after == 3);
    CHECK(d.opts->up_after == 5);

    auto f = parse({"-t", "0.05", "-p", "9000", "-l", "/tmp/x.log", "-i", "eth1,eth0", "--node-id", "h1"});
    REQUIRE(f.opts);
    CHECK(f.opts->interval == ms(50));
    CHECK(f.opts->port == 9000);
    CHECK(f.opts->log_file == "/tmp/x.log");
    CHECK(f.opts->interfaces == std::vector<std::string>{"eth1", "eth0"});
    CHECK(f.opts->node_id == "h1");
    CHECK_FALSE(f.opts->loose_rp_filter);
    CHECK(parse({"--loose-rp-filter"}).opts->loose_rp_filter);
    CHECK(parse({"-t", "0.01"}).opts->interval == ms(10));
    CHECK(parse({"-t", ".5"}).opts->interval == ms(500));
    CHECK(parse({"--interval=2"}).opts->interval == ms(2000));
    CHECK(parse({"-rt0.1"}).opts->interval == ms(100));
}

TEST_CASE("options: every bad value is one line and exit status 2") {
    struct row {
        std::vector<const char*> args;
        const char* names;  // what the message must mention
    };
    const std::vector<row> rows = {
        {{"-t", "0"}, "-t '0'"},
        {{"-t", "abc"}, "-t 'abc'"},
        {{"-t", "0.009"}, "minimum is 0.01"},
        {{"-t", "1.1234567"}, "-t '1.1234567'"},
        {{"-t", "-1"}, "-t '-1'"},
        {{"-t", "3601"}, "maximum is 3600"},
        {{"-t", "1."}, "-t '1.'"},
        {{"-f", "0"}, "-f '0'"},
        {{"-f", "x"}, "-f 'x'"},
        {{"-s", "1001"}, "-s '1001'"},
        {{"-p", "70000"}, "-p '70000'"},
        {{"-p", "0"}, "-p '0'"},
        {{"-i", "eth0,,eth1"}, "interface name ''"},
        {{"-i", "eth0,eth0"}, "listed twice"},
        {{"--node-id", "a b"}, "node id 'a b'"},
        {{"--bogus"}, "bogus"},
        {{"stray"}, "unexpected argument 'stray'"},
        {{"-t"}, "interval"},
        {{"-t", "1", "-t", "2"}, "interval"},
        {{"--fast-confirm-floor", "0"}, "fast-confirm-floor '0'"},
        {{"--fast-confirm-floor", "0.0005"}, "fast-confirm-floor '0.0005'"},
        {{"--no-fast-confirm=yes"}, "no-fast-confirm"},
        {{"--test-round-seq-limit", "0"}, "--test-round-seq-limit '0'"},
        {{"--test-round-seq-limit", "2147483648"}, "--test-round-seq-limit '2147483648'"},
        {{"--test-round-seq-limit", "1e3"}, "--test-round-seq-limit '1e3'"},
    };
    for (const auto& r : rows) {
        std::vector<const char*> argv{"faild"};
        argv.insert(argv.end(), r.args.begin(), r.args.end());
        auto res = parse_options(int(argv.size()), argv.data(), fake_fs{}.fs());
        CAPTURE(r.names);
        CHECK_FALSE(res.opts);
        CHECK(res.exit_code == 2);
        CHECK(res.err.find(r.names) != std::string::npos);
        CHECK(res.err.rfind("faild: ", 0) == 0);
        CHECK(res.err.find('\n') == std::string::npos);
        CAPTURE(res.err);
    }
}

TEST_CASE("options: help and version exit 0 on stdout") {
    auto h = parse({"--help"});
    CHECK_FALSE(h.opts);
    CHECK(h.exit_code == 0);
    CHECK(h.out.find("Usage: faild [-r] [-t SECONDS]") == 0);
    auto v = parse({"--version"});
    CHECK(v.exit_code == 0);
    CHECK(v.out.find("faild ") == 0);
}

TEST_CASE("options: --help wraps each description only where the next word does not fit") {
    auto h = parse({"--help"});
    std::istringstream in(h.out.substr(h.out.find("Options:")));
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    REQUIRE(lines.size() > 20);
    // Option lines start with "  -"; a description's continuation lines
    // are indented to the description column. A continuation whose first
    // word would have fitted on the line before was broken mid-sentence.
    const std::size_t column = lines[1].find("print this help");
    REQUIRE(column != std::string::npos);
    for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
        const std::string& next = lines[i + 1];
        CAPTURE(lines[i]);
        CAPTURE(next);
        CHECK(lines[i].size() <= 80);
        if (next.size() <= column || next.compare(0, column, std::string(column, ' ')) != 0) continue;
        std::string prev = lines[i];
        while (!prev.empty() && prev.back() == ' ') prev.pop_back();
        const std::string word = next.substr(column, next.find(' ', column) - column);
        CHECK(prev.size() + 1 + word.size() > 79);  // Boost.Program_options fills 79 columns
    }
}

TEST_CASE("options: seconds text") {
    CHECK(parse_seconds("1") == ms(1000));
    CHECK(parse_seconds("0.000001") == duration(1));
    CHECK_FALSE(parse_seconds("1e3"));
    CHECK_FALSE(parse_seconds(""));
    CHECK_FALSE(parse_seconds("."));
    CHECK(format_seconds(ms(100)) == "0.1");
    CHECK(format_seconds(ms(1000)) == "1");
    CHECK(format_seconds(ms(1250)) == "1.25");
}

TEST_CASE("options: faild.conf, then conf.d/*.conf in lexical order, then the command line") {
    fake_fs f;
    f.files["/etc/faild/faild.conf"] =
        "# faild settings\n"
        "requestor = yes\n"
        "interval = 0.5   # seconds\n"
        "fail = 4\n"
        "log = /var/log/faild.log\n";
    f.files["/etc/faild/conf.d/20-fast.conf"] = "interval = 0.1\nsucceed = 2\n";
    f.files["/etc/faild/conf.d/10-lans.conf"] = "interfaces = eth1, eth0\ninterval = 0.2\n";
    f.files["/etc/faild/conf.d/README"] = "not a .conf: never read\n";
    auto r = parse_with(f, {"-f", "6"});
    REQUIRE(r.opts);
    CHECK(r.opts->requestor);
    CHECK(r.opts->interval == ms(100));  // 20-fast.conf comes after 10-lans.conf
    CHECK(r.opts->up_after == 2);
    CHECK(r.opts->fail_after == 6);      // the command line wins
    CHECK(r.opts->log_file == "/var/log/faild.log");
    CHECK(r.opts->interfaces == std::vector<std::string>{"eth1", "eth0"});
    CHECK(r.opts->config_files_read ==
          std::vector<std::string>{"/etc/faild/faild.conf", "/etc/faild/conf.d/10-lans.conf",
                                   "/etc/faild/conf.d/20-fast.conf"});

    // -c FILE: its own conf.d beside it.
    fake_fs g;
    g.files["/srv/x/faild.conf"] = "port = 9000\n";
    g.files["/srv/x/conf.d/a.conf"] = "dry-run = yes\nnotify = /usr/local/sbin/hook\nnotify-timeout = 2.5\n";
    auto c = parse_with(g, {"-c", "/srv/x/faild.conf"});
    REQUIRE(c.opts);
    CHECK(c.opts->port == 9000);
    CHECK(c.opts->dry_run);
    CHECK(c.opts->notify == "/usr/local/sbin/hook");
    CHECK(c.opts->notify_timeout == ms(2500));
    CHECK(parse_with(g, {"-c", "/srv/x/faild.conf", "-p", "9001"}).opts->port == 9001);
}

TEST_CASE("options: every error in a file names the file and line, exit status 2") {
    struct row {
        const char* text;
        const char* message;
    };
    const row rows[] = {
        {"interval = 0.1\nintervall = 2\n", "/etc/faild/faild.conf:2: unknown key 'intervall'"},
        {"\n\ninterval = abc\n", "/etc/faild/faild.conf:3: invalid interval interval 'abc'"},
        {"fail = 0\n", "/etc/faild/faild.conf:1: invalid count fail '0'"},
        {"port = 70000\n", "/etc/faild/faild.conf:1: invalid port port '70000'"},
        {"requestor = maybe\n", "/etc/faild/faild.conf:1: invalid value for requestor 'maybe'"},
        {"just words\n", "/etc/faild/faild.conf:1: expected 'key = value', not 'just words'"},
        {"log =\n", "/etc/faild/faild.conf:1: no value for 'log'"},
        {"help = yes\n", "/etc/faild/faild.conf:1: unknown key 'help'"},
        {"notify = hook.sh\n", "/etc/faild/faild.conf:1: notify program 'hook.sh' must be an absolute path"},
        {"node-id = a b\n", "/etc/faild/faild.conf:1: invalid node id 'a b'"},
    };
    for (const auto& r : rows) {
        fake_fs f;
        f.files["/etc/faild/faild.conf"] = r.text;
        auto res = parse_with(f, {});
        INFO(r.text, " -> ", res.err);
        CHECK_FALSE(res.opts);
        CHECK(res.exit_code == 2);
        CHECK(res.err.find(r.message) != std::string::npos);
        CAPTURE(res.err);
    }
    fake_fs in_dropin;
    in_dropin.files["/etc/faild/conf.d/50-x.conf"] = "interval = 0.1\n\nsucceed = -1\n";
    CHECK(parse_with(in_dropin, {}).err.find("/etc/faild/conf.d/50-x.conf:3: invalid count succeed '-1'") !=
          std::string::npos);
    // A missing default file is fine; a missing -c file is an error.
    CHECK(parse_with(fake_fs{}, {}).opts);
    auto missing = parse_with(fake_fs{}, {"-c", "/nowhere/faild.conf"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("cannot read configuration file -c '/nowhere/faild.conf'") != std::string::npos);
}

TEST_CASE("options: --check-config prints the effective settings and exits 0") {
    fake_fs f;
    f.files["/etc/faild/faild.conf"] = "requestor = yes\ninterval = 0.1\n";
    auto r = parse_with(f, {"--check-config", "-s", "3"});
    REQUIRE(r.opts);  // for main()'s preflight checks
    CHECK(r.opts->check_config);
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "# files read: /etc/faild/faild.conf\n"
          "requestor = yes\n"
          "interval = 0.1\n"
          "fail = 3\n"
          "succeed = 3\n"
          "port = 7793\n"
          "# log = (stderr)\n"
          "# interfaces = (every eligible interface)\n"
          "# node-id = (derived from the hostname and machine)\n"
          "loose-rp-filter = no\n"
          "# notify = (none)\n"
          "notify-timeout = 10\n"
          "# control-socket = (/run/faild/control, per network namespace)\n"
          "dry-run = no\n"
          "# key-file = (none: probes are not authenticated)\n"
          "damping = no\n"
          "damping-penalty = 1000\n"
          "damping-half-life = 15\n"
          "damping-suppress = 2000\n"
          "damping-reuse = 750\n"
          "fast-confirm = yes\n"
          "# fast-confirm-floor = (max(0.002, interval / 10))\n"
          "mutual = yes\n"
          "align-rounds = yes\n"
          "unicast-inq = yes\n"
          "# state-file = (the control socket's path with .state)\n"
          "wire-v1 = no\n"
          "table = main\n"
          "route-protocol = 250\n"
          "realtime = no\n"
          "lock-memory = no\n"
          "require-realtime = no\n");
    // What it prints reads back to the same settings.
    fake_fs back;
    back.files["/etc/faild/faild.conf"] = r.out;
    auto again = parse_with(back, {"--check-config"});
    CHECK(again.out.substr(again.out.find('\n')) == r.out.substr(r.out.find('\n')));
}

TEST_CASE("options: log = stderr undoes a log file from an earlier file") {
    fake_fs f;
    f.files["/etc/faild/faild.conf"] = "log = /var/log/faild.log\n";
    f.files["/etc/faild/conf.d/90-journal.conf"] = "log = stderr\n";
    CHECK(parse_with(f, {}).opts->log_file.empty());
    CHECK(parse_with(fake_fs{}, {"-l", "-"}).opts->log_file.empty());
}

TEST_CASE("options: flap damping settings") {
    fake_fs f;
    f.files["/etc/faild/faild.conf"] = "damping = yes\ndamping-half-life = 5\ndamping-suppress = 3000\n";
    auto r = parse_with(f, {});
    REQUIRE(r.opts);
    CHECK(r.opts->damping.enabled);
    CHECK(r.opts->damping.half_life == ms(5000));
    CHECK(r.opts->damping.suppress == 3000);
    CHECK(parse({"--damping"}).opts->damping.enabled);
    fake_fs bad;
    bad.files["/etc/faild/faild.conf"] = "damping-reuse = 5000\n";
    CHECK(parse_with(bad, {}).err.find("damping-reuse (5000) must be below damping-suppress (2000)") != std::string::npos);
}

TEST_CASE("options: fast confirmation is on by default, --no-fast-confirm or a file turns it off") {
    auto plain = parse({"-r"});
    REQUIRE(plain.opts);
    CHECK(plain.opts->fast_confirm);
    CHECK(plain.opts->fast_confirm_floor == duration(0));
    CHECK_FALSE(parse({"--no-fast-confirm"}).opts->fast_confirm);
    CHECK(parse({"--fast-confirm-floor", "0.005"}).opts->fast_confirm_floor == ms(5));
    fake_fs f;
    f.files["/etc/faild/faild.conf"] = "fast-confirm = no\nfast-confirm-floor = 0.02\n";
    auto r = parse_with(f, {});
    REQUIRE(r.opts);
    CHECK_FALSE(r.opts->fast_confirm);
    CHECK(r.opts->fast_confirm_floor == ms(20));
    fake_fs bad;
    bad.files["/etc/faild/faild.conf"] = "fast-confirm = maybe\n";
    CHECK(parse_with(bad, {}).err.find("faild.conf:1: invalid value for fast-confirm 'maybe'") != std::string::npos);
    // --check-config output reads back to the same settings.
    auto shown = parse_with(f, {"--check-config"});
    fake_fs back;
    back.files["/etc/faild/faild.conf"] = shown.out;
    auto again = parse_with(back, {});
    REQUIRE(again.opts);
    CHECK_FALSE(again.opts->fast_confirm);
    CHECK(again.opts->fast_confirm_floor == ms(20));
}

TEST_CASE("options: found by fuzzing: errors stay on one line, '%' in an option name does not hang") {
    auto nl = parse({"--bogus\nsecond-line"});
    CHECK(nl.exit_code == 2);
    CHECK(nl.err.find('\n') == std::string::npos);
    auto val = parse({"-t", "1\n2"});
    CHECK(val.err == "faild: invalid interval -t '1?2': expected seconds such as 1 or 0.05 (see faild --help)");
    auto pct = parse({"--%canonical_option%"});
    CHECK(pct.exit_code == 2);
    CHECK(pct.err == "faild: unrecognised option '--%canonical_option%' (see faild --help)");
}

TEST_CASE("options: requestor: off by default, -r or a file turns it on, --no-requestor off again") {
    CHECK_FALSE(parse({}).opts->requestor);
    CHECK(parse({"-r"}).opts->requestor);
    CHECK_FALSE(parse({"--no-requestor"}).opts->requestor);
    fake_fs f;
    f.files["/etc/faild/faild.conf"] = "requestor = yes\n";
    CHECK(parse_with(f, {}).opts->requestor);
    CHECK_FALSE(parse_with(f, {"--no-requestor"}).opts->requestor);
    CHECK(parse_with(f, {"--no-requestor", "--check-config"}).out.find("\nrequestor = no\n") != std::string::npos);
    f.files["/etc/faild/conf.d/50-responder.conf"] = "requestor = no\n";
    CHECK_FALSE(parse_with(f, {}).opts->requestor);
    CHECK(parse_with(f, {"-r"}).opts->requestor);
    auto both = parse({"-r", "--no-requestor"});
    CHECK(both.exit_code == 2);
    CHECK(both.err.find("-r and --no-requestor") != std::string::npos);
    // The packaged faild.conf makes a requestor: two hosts that install it
    // probe each other.
    std::ifstream packaged(FAILD_SOURCE_DIR "/conf/faild.conf");
    REQUIRE(packaged);
    std::ostringstream text;
    text << packaged.rdbuf();
    fake_fs pkg;
    pkg.files["/etc/faild/faild.conf"] = text.str();
    auto p = parse_with(pkg, {});
    REQUIRE(p.opts);
    CHECK(p.opts->requestor);
    CHECK_FALSE(parse_with(pkg, {"--no-requestor"}).opts->requestor);
    // ... that locks its memory and runs real-time (faild(8), REAL-TIME).
    CHECK(p.opts->lock_memory);
    CHECK(p.opts->realtime_priority == default_realtime_priority);
}

TEST_CASE("options: mutual rounds, aligned rounds and unicast INQs are on by default, --no-X or a file turns each off") {
    struct switch_case {
        const char* key;
        bool options::*member;
    };
    for (auto c : {switch_case{"mutual", &options::mutual}, switch_case{"align-rounds", &options::align_rounds},
                   switch_case{"unicast-inq", &options::unicast_inq}}) {
        CAPTURE(c.key);
        const std::string key = c.key, flag = "--no-" + key;
        auto plain = parse({"-r"});
        REQUIRE(plain.opts);
        CHECK((*plain.opts).*c.member);
        auto off = parse({"-r", flag.c_str()});
        REQUIRE(off.opts);
        CHECK_FALSE((*off.opts).*c.member);
        CHECK(parse({(flag + "=yes").c_str()}).err.find(flag.substr(2)) != std::string::npos);
        fake_fs f;
        f.files["/etc/faild/faild.conf"] = key + " = no\n";
        auto r = parse_with(f, {});
        REQUIRE(r.opts);
        CHECK_FALSE((*r.opts).*c.member);
        fake_fs bad;
        bad.files["/etc/faild/faild.conf"] = key + " = often\n";
        CHECK(parse_with(bad, {}).err.find("faild.conf:1: invalid value for " + key + " 'often'") != std::string::npos);
        // --check-config output says so, and reads back to the same setting.
        auto shown = parse_with(f, {"--check-config"});
        CHECK(shown.out.find(key + " = no\n") != std::string::npos);
        fake_fs back;
        back.files["/etc/faild/faild.conf"] = shown.out;
        auto again = parse_with(back, {});
        REQUIRE(again.opts);
        CHECK_FALSE((*again.opts).*c.member);
    }
}

TEST_CASE("options: --test-round-seq-limit: for tests, command line only, not in --help") {
    auto d = parse({"-r"});
    REQUIRE(d.opts);
    CHECK(d.opts->round_seq_limit == 2147483647u);
    auto t = parse({"-r", "--test-round-seq-limit", "20"});
    REQUIRE(t.opts);
    CHECK(t.opts->round_seq_limit == 20u);
    CHECK(parse({"--help"}).out.find("test-round-seq-limit") == std::string::npos);
    fake_fs files;
    files.files["/etc/faild/faild.conf"] = "test-round-seq-limit = 20\n";
    auto f = parse_with(files, {});
    CHECK_FALSE(f.opts);
    CHECK(f.err.find("unknown key 'test-round-seq-limit'") != std::string::npos);
}

TEST_CASE("options: --state-file (absolute, or none) and --wire-v1, on the command line or in a file") {
    auto plain = parse({});
    REQUIRE(plain.opts);
    CHECK(plain.opts->state_file.empty());
    CHECK_FALSE(plain.opts->wire_v1);
    auto set = parse({"--state-file", "/var/lib/faild/proofs", "--wire-v1"});
    REQUIRE(set.opts);
    CHECK(set.opts->state_file == "/var/lib/faild/proofs");
    CHECK(set.opts->wire_v1);
    auto none = parse({"--state-file", "none"});
    REQUIRE(none.opts);
    CHECK(none.opts->state_file == "none");
    CHECK(parse({"--state-file", "proofs"}).err ==
          "faild: state-file 'proofs' must be an absolute path, or none (see faild --help)");
    CHECK(parse({"--state-file", "proofs"}).exit_code == 2);
    fake_fs f;
    f.files["/etc/faild/faild.conf"] = "state-file = /run/x.state\nwire-v1 = yes\n";
    auto r = parse_with(f, {});
    REQUIRE(r.opts);
    CHECK(r.opts->state_file == "/run/x.state");
    CHECK(r.opts->wire_v1);
    auto shown = parse_with(f, {"--check-config"});
    CHECK(shown.out.find("state-file = /run/x.state\n") != std::string::npos);
    CHECK(shown.out.find("wire-v1 = yes\n") != std::string::npos);
}

TEST_CASE("options: one pair of matching quotes around a value in a file is taken off") {
    fake_fs f;
    f.files["/etc/faild/faild.conf"] =
        "interfaces = \"eth0,eth1\"\n"
        "node-id = 'h1'\n"
        "log = \"/var/log/faild x.log\"   # a space inside\n";
    auto r = parse_with(f, {});
    REQUIRE_MESSAGE(r.opts, r.err);
    CHECK(r.opts->interfaces == std::vector<std::string>{"eth0", "eth1"});
    CHECK(r.opts->node_id == "h1");
    CHECK(r.opts->log_file == "/var/log/faild x.log");

    struct row {
        const char* text;
        const char* message;
    };
    const row rows[] = {
        {"interfaces = \"eth0,eth1\n", "/etc/faild/faild.conf:1: unbalanced quote in the value of 'interfaces'"},
        {"interfaces = eth0,eth1'\n", "/etc/faild/faild.conf:1: unbalanced quote in the value of 'interfaces'"},
        {"node-id = \"h1'\n", "/etc/faild/faild.conf:1: unbalanced quote in the value of 'node-id'"},
        {"node-id = \"\n", "/etc/faild/faild.conf:1: unbalanced quote in the value of 'node-id'"},
        {"log = \"\"\n", "/etc/faild/faild.conf:1: no value for 'log'"},
        {"node-id = \"\"h1\"\"\n", "/etc/faild/faild.conf:1: invalid node id '\"h1\"'"},  // one pair only
    };
    for (const auto& row : rows) {
        fake_fs g;
        g.files["/etc/faild/faild.conf"] = row.text;
        auto res = parse_with(g, {});
        CAPTURE(res.err);
        CHECK_FALSE(res.opts);
        CHECK(res.exit_code == 2);
        CHECK(res.err.find(row.message) != std::string::npos);
    }
    // The command line is not a file: the shell took its quotes off already.
    auto cmd = parse({"--node-id", "'h1'"});
    CHECK_FALSE(cmd.opts);
    CHECK(cmd.err.find("invalid node id ''h1''") != std::string::npos);
}

TEST_CASE("options: a NUL byte or more than 1 MiB is no configuration file") {
    fake_fs f;
    f.files["/etc/faild/faild.conf"] = std::string("interval = 0.1\nnode-id = h1\0x\n", 30);
    auto nul = parse_with(f, {});
    CHECK_FALSE(nul.opts);
    CHECK(nul.exit_code == 2);
    CHECK(nul.err.find("/etc/faild/faild.conf:2: a NUL byte: not a text file") != std::string::npos);
    CHECK(nul.err.find('\0') == std::string::npos);

    fake_fs big;
    big.files["/srv/faild.conf"] = "interval = 0.1\n" + std::string(max_config_size, '#');
    auto huge = parse_with(big, {"-c", "/srv/faild.conf"});
    CHECK_FALSE(huge.opts);
    CHECK(huge.exit_code == 2);
    CHECK(huge.err.find("/srv/faild.conf: larger than 1 MiB") != std::string::npos);
    big.files["/srv/faild.conf"] = "interval = 0.1\n" + std::string(max_config_size - 16, '#');  // just fits
    CHECK(parse_with(big, {"-c", "/srv/faild.conf"}).opts);
}

TEST_CASE("options: what the file system refuses (a directory, a FIFO, too large) is an error naming it") {
    // config_fs::read says why a path exists but is no configuration file.
    config_fs refusing;
    refusing.read = [](const std::string& path) -> config_text {
        if (path == "/srv/dir") return config_text::refused("a directory, not a regular file");
        if (path == "/etc/faild/faild.conf") return config_text::refused("Permission denied");
        return config_text{};
    };
    refusing.list_conf = [](const std::string&) { return std::vector<std::string>{}; };
    const char* dir_args[] = {"faild", "-c", "/srv/dir"};
    auto dir = parse_options(3, dir_args, refusing);
    CHECK_FALSE(dir.opts);
    CHECK(dir.exit_code == 2);
    CHECK(dir.err.find("cannot read configuration file -c '/srv/dir': a directory, not a regular file") !=
          std::string::npos);
    // The default file may be missing, but not unreadable.
    const char* none[] = {"faild"};
    auto denied = parse_options(1, none, refusing);
    CHECK_FALSE(denied.opts);
    CHECK(denied.err.find("cannot read configuration file '/etc/faild/faild.conf': Permission denied") !=
          std::string::npos);
}

TEST_CASE("options: table by number or by name from rt_tables, route-protocol, both as keys and options") {
    auto d = parse({});
    REQUIRE(d.opts);
    CHECK(d.opts->table == 254);
    CHECK(d.opts->table_name == "main");
    CHECK(d.opts->route_protocol == 250);

    fake_fs f;
    f.files["/etc/iproute2/rt_tables"] =
        "#\n# reserved values\n#\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n#\n100 faild_a  # ours\n";
    f.files["/etc/iproute2/rt_tables.d/vrf.conf"] = "0x3e8 vrf-blue\n";
    f.files["/etc/faild/faild.conf"] = "table = faild_a\nroute-protocol = 251\n";
    auto r = parse_with(f, {});
    REQUIRE_MESSAGE(r.opts, r.err);
    CHECK(r.opts->table == 100);
    CHECK(r.opts->table_name == "faild_a");
    CHECK(r.opts->route_protocol == 251);
    auto v = parse_with(f, {"--table", "vrf-blue", "--route-protocol", "252"});
    REQUIRE_MESSAGE(v.opts, v.err);
    CHECK(v.opts->table == 1000);
    CHECK(v.opts->route_protocol == 252);
    CHECK(parse_with(f, {"--table", "4000000000"}).opts->table == 4'000'000'000u);
    CHECK(parse_with(f, {"--table", "0x10"}).opts->table == 16);
    CHECK(parse_with(f, {"--table", "main"}).opts->table == 254);
    // /usr/share/iproute2 where /etc has no rt_tables (iproute2 >= 6.5 installs there).
    fake_fs usr;
    usr.files["/usr/share/iproute2/rt_tables"] = "200 isp2\n";
    CHECK(parse_with(usr, {"--table", "isp2"}).opts->table == 200);
    // --check-config names it as written; that reads back the same.
    auto shown = parse_with(f, {"--check-config"});
    CHECK(shown.out.find("\ntable = faild_a\nroute-protocol = 251\n") != std::string::npos);

    struct row {
        std::vector<const char*> args;
        const char* message;
    };
    const row rows[] = {
        {{"--table", "nosuch"}, "unknown routing table 'nosuch'"},
        {{"--table", "12x"}, "unknown routing table '12x'"},
        {{"--table", "0"}, "routing table '0' (0) cannot hold faild's routes: 0 is no table"},
        {{"--table", "local"}, "routing table 'local' (255) cannot hold faild's routes: the local table is the kernel's"},
        {{"--table", "4294967296"}, "unknown routing table '4294967296'"},
        {{"--route-protocol", "4"}, "invalid route-protocol '4': expected 5 to 255"},
        {{"--route-protocol", "256"}, "invalid route-protocol '256'"},
        {{"--route-protocol", "faild"}, "invalid route-protocol 'faild'"},
    };
    for (const auto& row : rows) {
        std::vector<const char*> argv{"faild"};
        argv.insert(argv.end(), row.args.begin(), row.args.end());
        auto res = parse_options(int(argv.size()), argv.data(), f.fs());
        CAPTURE(res.err);
        CHECK_FALSE(res.opts);
        CHECK(res.exit_code == 2);
        CHECK(res.err.find(row.message) != std::string::npos);
    }
    fake_fs bad_file;
    bad_file.files["/etc/faild/faild.conf"] = "\ntable = nosuch\n";
    CHECK(parse_with(bad_file, {}).err.find("/etc/faild/faild.conf:2: unknown routing table 'nosuch'") !=
          std::string::npos);
}

TEST_CASE("options: --realtime[=PRIO], --no-realtime, --lock-memory, --require-realtime, added beside the original line") {
    auto plain = parse({"-r", "-t", "0.01", "-f", "3", "-s", "3", "-p", "7793", "-l", "/tmp/x.log"});
    REQUIRE(plain.opts);
    CHECK(plain.opts->realtime_priority == 0);  // off by default: the packaged faild.conf turns it on
    CHECK_FALSE(realtime_by_default);
    CHECK_FALSE(plain.opts->lock_memory);
    CHECK_FALSE(plain.opts->require_realtime);
    auto bare = parse({"--realtime"});
    REQUIRE(bare.opts);
    CHECK(bare.opts->realtime_priority == default_realtime_priority);
    auto prio = parse({"--realtime=20", "--lock-memory", "--require-realtime"});
    REQUIRE(prio.opts);
    CHECK(prio.opts->realtime_priority == 20);
    CHECK(prio.opts->lock_memory);
    CHECK(prio.opts->require_realtime);
    auto one = parse({"--realtime=1"});
    REQUIRE(one.opts);
    CHECK(one.opts->realtime_priority == 1);
    auto off = parse({"--no-realtime"});
    REQUIRE(off.opts);
    CHECK(off.opts->realtime_priority == 0);
    CHECK(parse({"--realtime=100"}).exit_code == 2);
    CHECK(parse({"--realtime=0"}).err ==
          "faild: invalid realtime '0': expected yes, no or a priority from 1 to 99 (see faild --help)");
    CHECK(parse({"--realtime", "--no-realtime"}).exit_code == 2);
    fake_fs f;
    f.files["/etc/faild/faild.conf"] = "realtime = no\nlock-memory = yes\n";
    auto r = parse_with(f, {});
    REQUIRE(r.opts);
    CHECK(r.opts->realtime_priority == 0);
    CHECK(r.opts->lock_memory);
    auto over = parse_with(f, {"--realtime=30"});  // the command line wins
    REQUIRE(over.opts);
    CHECK(over.opts->realtime_priority == 30);
    auto shown = parse_with(f, {"--check-config"});
    CHECK(shown.out.find("\nrealtime = no\nlock-memory = yes\n") != std::string::npos);
    f.files["/etc/faild/faild.conf"] = "realtime = 5\n";
    auto five = parse_with(f, {});
    REQUIRE(five.opts);
    CHECK(five.opts->realtime_priority == 5);
    f.files["/etc/faild/faild.conf"] = "realtime = fast\n";
    CHECK(parse_with(f, {}).err.find("faild.conf:1: invalid realtime 'fast'") != std::string::npos);
}
