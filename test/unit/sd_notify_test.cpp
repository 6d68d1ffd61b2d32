#include "faild/daemon/sd_notify.hpp"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <string>

using namespace faild;

TEST_CASE("sd_notify: the environment: NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID") {
    auto none = sd::parse_env(nullptr, nullptr, nullptr, 100);
    CHECK(none.socket.empty());
    CHECK_FALSE(none.watchdog);
    auto plain = sd::parse_env("/run/systemd/notify", nullptr, nullptr, 100);
    CHECK(plain.socket == "/run/systemd/notify");
    CHECK_FALSE(plain.watchdog);
    auto wd = sd::parse_env("@x", "10000000", nullptr, 100);
    REQUIRE(wd.watchdog);
    CHECK(*wd.watchdog == ms(10'000));
    CHECK(sd::parse_env("@x", "10000000", "100", 100).watchdog);
    CHECK_FALSE(sd::parse_env("@x", "10000000", "101", 100).watchdog);  // meant for another process
    CHECK_FALSE(sd::parse_env("@x", "0", nullptr, 100).watchdog);
    CHECK_FALSE(sd::parse_env("@x", "ten", nullptr, 100).watchdog);
    CHECK_FALSE(sd::parse_env("@x", "", nullptr, 100).watchdog);
    CHECK_FALSE(sd::parse_env("@x", "99999999999999999999999", nullptr, 100).watchdog);
    // Without a socket there is no one to ping.
    CHECK_FALSE(sd::notifier(sd::parse_env(nullptr, "1000000", nullptr, 100)).watchdog());
    CHECK_FALSE(sd::notifier().enabled());
    CHECK_FALSE(sd::notifier().send("READY=1"));
}

TEST_CASE("sd_notify: addresses: a path, or @ for an abstract name") {
    sockaddr_un sa{};
    socklen_t len = 0;
    REQUIRE(sd::to_sockaddr("/run/systemd/notify", sa, len));
    CHECK(std::string(sa.sun_path) == "/run/systemd/notify");
    CHECK(len == offsetof(sockaddr_un, sun_path) + 20);
    REQUIRE(sd::to_sockaddr("@faild/test", sa, len));
    CHECK(sa.sun_path[0] == '\0');
    CHECK(std::string(sa.sun_path + 1, 10) == "faild/test");
    CHECK(len == offsetof(sockaddr_un, sun_path) + 11);
    CHECK_FALSE(sd::to_sockaddr("", sa, len));
    CHECK_FALSE(sd::to_sockaddr("@", sa, len));
    CHECK_FALSE(sd::to_sockaddr("relative/notify", sa, len));
    CHECK_FALSE(sd::to_sockaddr("vsock:2:1234", sa, len));
    CHECK_FALSE(sd::to_sockaddr("/" + std::string(sizeof sa.sun_path, 'x'), sa, len));
    CHECK(sd::to_sockaddr("@" + std::string(sizeof sa.sun_path - 1, 'x'), sa, len));
}

TEST_CASE("sd_notify: a datagram reaches a real listener on an abstract socket") {
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    const std::string name = "@faild-unit-sd-notify-" + std::to_string(::getpid());
    sockaddr_un sa{};
    socklen_t len = 0;
    REQUIRE(sd::to_sockaddr(name, sa, len));
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0);
    sd::notifier n(sd::parse_env(name.c_str(), "2000000", nullptr, ::getpid()));
    CHECK(n.enabled());
    REQUIRE(n.watchdog());
    CHECK(*n.watchdog() == ms(2000));
    CHECK(n.send("READY=1\nSTATUS=requestor on eth0,eth1: no peer heard yet"));
    CHECK(n.send("WATCHDOG=1"));
    char buf[256];
    ssize_t got = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    REQUIRE(got > 0);
    CHECK(std::string(buf, std::size_t(got)) == "READY=1\nSTATUS=requestor on eth0,eth1: no peer heard yet");
    got = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    REQUIRE(got > 0);
    CHECK(std::string(buf, std::size_t(got)) == "WATCHDOG=1");
    ::close(fd);
    CHECK_FALSE(n.send("WATCHDOG=1"));  // no listener any more: a failure, never a crash
}
