// faildctl: asks a running faild what it sees, over its control socket.
//
//   faildctl [-s PATH] status [-X | --json]   every path: state, counts, RTT, loss, route
//   faildctl [-s PATH] routes [-X | --json]   the routes faild installed
//   faildctl [-s PATH] events                 state changes as JSON lines, until interrupted
//   faildctl --version
//
// The daemon answers in |-separated records (header first); this program
// turns them into a table (default), passes them through (-X, like
// `ctdb -X`) or into JSON (--json). Exit 0 on success, 1 when no faild
// answers, 2 on a bad command line.
#include "faild/core/status.hpp"
#include "faild/core/wire.hpp"
#include "platform/platform.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

const char* usage =
    "Usage: faildctl [-s PATH] status [-X | --json]\n"
    "       faildctl [-s PATH] routes [-X | --json]\n"
    "       faildctl [-s PATH] events\n"
    "       faildctl --version\n"
    "  -s PATH   faild's control socket (default: /run/faild/control, per network namespace)\n"
    "  -X        machine-readable: fields separated by |, one record a line, header first\n"
    "  --json    a JSON array of objects\n";

int usage_error(const std::string& what) {
    std::cerr << "faildctl: " << what << " (see faildctl --help)\n";
    return 2;
}

/// Connects, sends one command line; the fd, or -1 with a message printed.
int ask(const std::string& path, const std::string& command) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd < 0 || path.size() >= sizeof addr.sun_path) {
        std::cerr << "faildctl: bad control socket path '" << path << "'\n";
        if (fd >= 0) close(fd);
        return -1;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::cerr << "faildctl: no faild answers on " << path << ": " << std::strerror(errno)
                  << " (is faild running? as root? see -s)\n";
        close(fd);
        return -1;
    }
    std::string line = command + "\n";
    if (write(fd, line.data(), line.size()) != ssize_t(line.size())) {
        std::cerr << "faildctl: cannot talk to faild on " << path << ": " << std::strerror(errno) << "\n";
        close(fd);
        return -1;
    }
    return fd;
}

std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) out.append(buf, std::size_t(n));
        else if (n < 0 && errno == EINTR) continue;
        else break;
    }
    return out;
}

enum class output { table, records, json };

/// What the command line asks for.
struct request {
    std::string path;     ///< the control socket (-s), empty: the default
    std::string command;  ///< status, routes or events
    output format = output::table;
};

/// Reads the command line into `req`; an exit status when there is
/// nothing more to do (help, version, a usage error).
std::optional<int> read_command_line(const std::vector<std::string>& args, request& req) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a == "-h" || a == "--help") {
            std::cout << usage;
            return 0;
        } else if (a == "-V" || a == "--version" || (a == "version" && req.command.empty())) {
            std::cout << "faildctl " << FAILD_VERSION << " (protocol " << int(faild::wire::version) << ")\n";
            return 0;
        } else if (a == "-s") {
            if (++i == args.size()) return usage_error("-s needs a path");
            req.path = args[i];
        } else if (a == "-X") {
            req.format = output::records;
        } else if (a == "--json") {
            req.format = output::json;
        } else if (req.command.empty() && (a == "status" || a == "routes" || a == "events")) {
            req.command = a;
        } else {
            return usage_error("unexpected argument '" + a + "'");
        }
    }
    if (req.command.empty()) return usage_error("no command given");
    if (req.path.empty()) req.path = faild::platform::default_control_socket();
    return std::nullopt;
}

/// `events`: faild's lines as they come, until it closes the stream.
int follow_events(int fd) {
    std::signal(SIGPIPE, SIG_IGN);
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            std::cout.write(buf, n);
            std::cout.flush();
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    close(fd);
    std::cerr << "faildctl: faild closed the event stream\n";
    return 1;
}

/// The answer to status or routes, in the format asked for.
int print_reply(const request& req, const std::string& reply) {
    if (reply.rfind("error:", 0) == 0 || reply.empty()) {
        std::cerr << "faildctl: faild says: " << (reply.empty() ? "nothing\n" : reply);
        return 1;
    }
    if (req.format == output::records) {
        std::cout << reply;
        return 0;
    }
    auto [header, rows] = faild::parse_records(reply);
    if (req.format == output::json) {
        std::cout << faild::format_json(header, rows, {"missed", "good", "rtt_ms", "loss_pct"});
        return 0;
    }
    if (req.command == "routes") {
        for (const auto& r : rows) std::cout << r[0] << " via " << r[1] << " dev " << r[2] << " src " << r[3] << "\n";
        if (rows.empty()) std::cout << "no faild routes\n";
        return 0;
    }
    std::cout << faild::format_table(header, rows);
    if (rows.empty()) std::cout << "(no peers heard yet)\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    request req;
    if (auto done = read_command_line(std::vector<std::string>(argv + 1, argv + argc), req)) return *done;
    int fd = ask(req.path, req.command);
    if (fd < 0) return 1;
    if (req.command == "events") return follow_events(fd);
    std::string reply = read_all(fd);
    close(fd);
    return print_reply(req, reply);
}
