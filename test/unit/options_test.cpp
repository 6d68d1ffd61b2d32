#include "faild/options.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <vector>

using namespace faild;

namespace {

parse_result parse(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"faild"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_options(int(argv.size()), argv.data());
}

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
    };
    for (const auto& r : rows) {
        std::vector<const char*> argv{"faild"};
        argv.insert(argv.end(), r.args.begin(), r.args.end());
        auto res = parse_options(int(argv.size()), argv.data());
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
