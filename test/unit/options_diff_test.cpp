// DOC: options_diff_test — what SIGHUP sees changed: every setting of
// faild.conf, one at a time, named by its key and nothing else; notify and
// notify-timeout applied at once, the rest needing a restart, sorted.
#include "faild/core/options_diff.hpp"
#include "test/memory_config_fs.hpp"

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace faild;

namespace {

/// The options faild.conf with `text` makes (and nothing else).
options read_conf(const std::string& text) {
    test::memory_config_fs files;
    files.files["/etc/faild/faild.conf"] = text;
    const char* argv[] = {"faild"};
    auto r = parse_options(1, argv, files.fs());
    REQUIRE_MESSAGE(r.opts, r.err);
    return *r.opts;
}

/// A value other than the default for every key of faild.conf.
const std::map<std::string, std::string> other_values = {
    {"requestor", "yes"},
    {"interval", "0.5"},
    {"fail", "4"},
    {"succeed", "6"},
    {"port", "7794"},
    {"log", "/var/log/faild.log"},
    {"interfaces", "eth1,eth0"},
    {"node-id", "h9"},
    {"loose-rp-filter", "yes"},
    {"notify", "/usr/local/sbin/faild-notify"},
    {"notify-timeout", "3"},
    {"control-socket", "/run/faild/other"},
    {"dry-run", "yes"},
    {"key-file", "/etc/faild/key"},
    {"damping", "yes"},
    {"damping-penalty", "999"},
    {"damping-half-life", "30"},
    {"damping-suppress", "2500"},
    {"damping-reuse", "700"},
    {"fast-confirm", "no"},
    {"fast-confirm-floor", "0.005"},
    {"mutual", "no"},
    {"align-rounds", "no"},
    {"unicast-inq", "no"},
    {"state-file", "/var/lib/faild/state"},
    {"wire-v1", "yes"},
    {"table", "100"},
    {"route-protocol", "251"},
    {"realtime", "20"},
    {"lock-memory", "yes"},
    {"require-realtime", "yes"},
};

}  // namespace

TEST_CASE("options_diff: the same configuration read twice changes nothing") {
    CHECK(changed_settings(read_conf(""), read_conf("")).empty());
    auto conf = read_conf("requestor = yes\ninterval = 0.1\nnotify = /bin/true\n");
    CHECK(changed_settings(conf, conf).empty());
    auto plan = plan_reload(conf, conf);
    CHECK_FALSE(plan.apply_notify);
    CHECK(plan.needs_restart.empty());
}

TEST_CASE("options_diff: every setting of faild.conf, changed alone, is named alone") {
    const options defaults = read_conf("");
    for (const auto& [key, value] : other_values) {
        CAPTURE(key);
        options changed = read_conf(key + " = " + value + "\n");
        CHECK(changed_settings(defaults, changed) == std::vector<std::string>{key});
        CHECK(changed_settings(changed, defaults) == std::vector<std::string>{key});
    }
}

TEST_CASE("options_diff: no setting describe() prints is left out") {
    // describe() writes every setting, as `key = value` or `# key = (...)`.
    std::istringstream lines(describe(read_conf("")));
    std::string line;
    std::size_t seen = 0;
    while (std::getline(lines, line)) {
        std::string key = line.substr(line.rfind("# ", 0) == 0 ? 2 : 0);
        key = key.substr(0, key.find(' '));
        if (key == "files") continue;  // "# files read: ...": not a setting
        CAPTURE(line);
        CHECK(other_values.count(key) == 1);
        ++seen;
    }
    CHECK(seen == other_values.size());
}

TEST_CASE("options_diff: notify and its timeout apply at once, the rest is named as needing a restart, sorted") {
    auto running = read_conf("requestor = yes\nnotify = /bin/true\n");
    auto plan = plan_reload(running, read_conf("requestor = yes\nnotify = /bin/false\n"));
    CHECK(plan.apply_notify);
    CHECK(plan.needs_restart.empty());

    plan = plan_reload(running, read_conf("requestor = yes\nnotify = /bin/true\nnotify-timeout = 2\n"));
    CHECK(plan.apply_notify);

    plan = plan_reload(running, read_conf("port = 9000\nnotify = /bin/true\ninterval = 0.2\n"));
    CHECK_FALSE(plan.apply_notify);
    CHECK(plan.needs_restart == std::vector<std::string>{"interval", "port", "requestor"});
}

TEST_CASE("options_diff: settings are compared, not their text") {
    const options defaults = read_conf("");
    // The same table by name and by number; the same interval written two ways.
    CHECK(changed_settings(defaults, read_conf("table = 254\n")).empty());
    CHECK(changed_settings(defaults, read_conf("interval = 1.000\n")).empty());
    CHECK(changed_settings(defaults, read_conf("log = stderr\n")).empty());
    CHECK(changed_settings(read_conf("interfaces = eth0,eth1\n"), read_conf("interfaces = eth0, eth1\n")).empty());
    // The order of the LANs is their preference: a change.
    CHECK(changed_settings(read_conf("interfaces = eth0,eth1\n"), read_conf("interfaces = eth1,eth0\n")) ==
          std::vector<std::string>{"interfaces"});
}
