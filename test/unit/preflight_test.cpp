#include "faild/core/preflight.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace faild;

namespace {

/// A file system and interface list in memory.
struct fake_system {
    std::map<std::string, path_facts> paths;
    std::map<std::string, std::string> contents;
    std::optional<std::vector<std::string>> ifs = std::vector<std::string>{"lo", "eth0", "eth1"};

    fake_system() {
        dir("/");
        dir("/etc");
        dir("/etc/faild");
        dir("/var/log");
    }
    void dir(const std::string& p, bool writable = true) { paths[p] = {true, false, true, 0755, true, writable}; }
    void file(const std::string& p, unsigned mode, std::string text = "", bool writable = true) {
        paths[p] = {true, true, false, mode, (mode & 0111) != 0, writable};
        contents[p] = std::move(text);
    }
    preflight_env env() const {
        preflight_env e;
        e.stat = [this](const std::string& p) {
            auto it = paths.find(p);
            return it == paths.end() ? path_facts{} : it->second;
        };
        e.read = [this](const std::string& p) -> std::optional<std::string> {
            auto it = contents.find(p);
            if (it == contents.end()) return std::nullopt;
            return it->second;
        };
        e.interfaces = [this] { return ifs; };
        return e;
    }
};

const std::string good_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";

std::string texts(const std::vector<finding>& fs) {
    std::string s;
    for (const auto& f : fs) s += (f.error ? "error: " : "warning: ") + f.text + "\n";
    return s;
}

}  // namespace

TEST_CASE("preflight: nothing named, nothing to check") {
    fake_system sys;
    options o;
    CHECK(preflight(o, sys.env()).empty());
    o.log_file = "syslog";  // not a file: never checked as one
    CHECK(preflight(o, sys.env()).empty());
}

TEST_CASE("preflight: the key file: exists, mode 0600, keys in hex of at least 32 digits") {
    struct row {
        const char* name;
        bool exists;
        unsigned mode;
        std::string text;
        const char* want;  ///< "" when fine
    };
    for (const auto& r : std::vector<row>{
             {"good", true, 0600, good_key, ""},
             {"two keys and a comment", true, 0400, "# rollover\n" + good_key + good_key, ""},
             {"missing", false, 0, "", "key file '/etc/faild/key' does not exist"},
             {"group-readable", true, 0640, good_key, "accessible by group or others (mode 0640): chmod 600"},
             {"world-readable", true, 0604, good_key, "accessible by group or others (mode 0604)"},
             {"too short", true, 0600, "00112233\n", "key too short"},
             {"not hex", true, 0600, "zz112233445566778899aabbccddeeff\n", "hex digits only"},
             {"odd length", true, 0600, "0011223344556677889\n", "even number of hex digits"},
             {"empty", true, 0600, "# nothing\n", "no key in the file"},
             {"three keys", true, 0600, good_key + good_key + good_key, "at most two keys"},
         }) {
        CAPTURE(r.name);
        fake_system sys;
        if (r.exists) sys.file("/etc/faild/key", r.mode, r.text);
        options o;
        o.key_file = "/etc/faild/key";
        auto f = preflight(o, sys.env());
        CAPTURE(texts(f));
        if (!*r.want) {
            CHECK(f.empty());
            continue;
        }
        REQUIRE(f.size() == 1);
        CHECK(f[0].error);
        CHECK(f[0].text.find(r.want) != std::string::npos);
        CHECK(refuses(f));
    }
    fake_system sys;
    sys.dir("/etc/faild/key");
    options o;
    o.key_file = "/etc/faild/key";
    CHECK(texts(preflight(o, sys.env())) == "error: key file '/etc/faild/key' is not a regular file\n");
}

TEST_CASE("preflight: the notify program exists and may be executed") {
    options o;
    o.notify = "/usr/local/sbin/faild-notify";
    fake_system sys;
    CHECK(texts(preflight(o, sys.env())) == "error: notify program '/usr/local/sbin/faild-notify' does not exist\n");
    sys.file(o.notify, 0644);
    CHECK(texts(preflight(o, sys.env())) ==
          "error: notify program '/usr/local/sbin/faild-notify' is not executable: chmod +x "
          "'/usr/local/sbin/faild-notify'\n");
    sys.file(o.notify, 0755);
    CHECK(preflight(o, sys.env()).empty());
    sys.dir(o.notify);
    CHECK(refuses(preflight(o, sys.env())));
}

TEST_CASE("preflight: the log can be appended to, or created") {
    options o;
    fake_system sys;
    o.log_file = "/var/log/faild.log";
    CHECK(preflight(o, sys.env()).empty());  // created at start
    sys.file(o.log_file, 0640);
    CHECK(preflight(o, sys.env()).empty());
    sys.file(o.log_file, 0640, "", false);
    CHECK(texts(preflight(o, sys.env())) == "error: log file '/var/log/faild.log' cannot be written\n");
    sys.dir(o.log_file);
    CHECK(texts(preflight(o, sys.env())) == "error: log file '/var/log/faild.log' is a directory\n");
    o.log_file = "/var/log/faild/faild.log";
    CHECK(texts(preflight(o, sys.env())) ==
          "error: log file '/var/log/faild/faild.log': directory '/var/log/faild' does not exist\n");
    sys.dir("/var/log/faild", false);  // read-only (ProtectSystem=strict without LogsDirectory=)
    CHECK(texts(preflight(o, sys.env())) ==
          "error: log file '/var/log/faild/faild.log' cannot be created: directory '/var/log/faild' cannot be "
          "written\n");
    sys.dir("/var/log/faild");
    CHECK(preflight(o, sys.env()).empty());
}

TEST_CASE("preflight: a listed interface that does not exist is a warning, not an error") {
    options o;
    fake_system sys;
    o.interfaces = {"eth0", "eth1"};
    CHECK(preflight(o, sys.env()).empty());
    o.interfaces = {"eth0", "bond0"};
    auto f = preflight(o, sys.env());
    REQUIRE(f.size() == 1);
    CHECK_FALSE(f[0].error);
    CHECK(f[0].text.find("interface 'bond0' does not exist") == 0);
    CHECK_FALSE(refuses(f));
    sys.ifs.reset();
    CHECK(texts(preflight(o, sys.env())) == "warning: cannot list the interfaces; not checked\n");
}

TEST_CASE("preflight: every problem is reported, not only the first") {
    options o;
    fake_system sys;
    o.key_file = "/etc/faild/key";
    o.notify = "/nowhere/hook";
    o.log_file = "/nowhere/faild.log";
    o.interfaces = {"eth9"};
    auto f = preflight(o, sys.env());
    CHECK(f.size() == 4);
    CHECK(refuses(f));
}
