// DOC: hook_runner — see hook_runner.hpp.
#include "faild/daemon/hook_runner.hpp"

#include "faild/daemon/log.hpp"
#include "faild/daemon/loop.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern "C" char** environ;

namespace faild {

namespace asio = boost::asio;

namespace {

/// "failover h2 eth0 v4": the call's arguments, for the log.
std::string call_text(const hook_call& call) {
    std::string what;
    for (const auto& a : call.args) what += (what.empty() ? "" : " ") + a;
    return what;
}

/// The hook's environment: ours without any FAILD_ variable, then the call's.
std::vector<std::string> hook_environment(const hook_call& call) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "FAILD_", 6) != 0) env.emplace_back(*e);
    env.insert(env.end(), call.env.begin(), call.env.end());
    return env;
}

/// Starts `program` for `call`: its own process group, stdin /dev/null,
/// stdout and stderr into `out`, no signal blocked, and the signals faild
/// handles back at their defaults. The pid; 0 and `rc` (an errno) on failure.
pid_t spawn_hook(const std::string& program, const hook_call& call, int out, int& rc) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    posix_spawn_file_actions_adddup2(&fa, out, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : call.args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_store = hook_environment(call);
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    rc = posix_spawn(&pid, program.c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : 0;
}

}  // namespace

struct hook_runner::running_hook {
    std::uint64_t id = 0;  ///< tells a late handler of an ended hook from a new one with its pid
    std::string what;      ///< "failover h2 eth0 v4"
    bool important = false;
    timestamp started{0};
    std::unique_ptr<asio::posix::stream_descriptor> out;
    std::unique_ptr<asio::steady_timer> timer;
    std::string output;            ///< the first output_kept bytes
    std::size_t output_bytes = 0;  ///< all it wrote that was read
    std::vector<char> buf;
    bool exited = false, eof = false, killed = false;
    bool pipe_held = false;  ///< at its exit, something it started still held its output
    int status = 0;
};

hook_runner::hook_runner(asio::io_context& io, const options& opts, limited_log& limited)
    : io_(io), opts_(opts), limited_(limited), child_signals_(io, SIGCHLD) {}

hook_runner::~hook_runner() = default;

void hook_runner::start() { wait_children(); }

void hook_runner::offer(const hook_call& call) {
    auto res = queue_.offer(call);
    if (res != hook_queue::offer_result::accepted)
        note_dropped(call, res == hook_queue::offer_result::busy ? "busy" : "queue_full");
    start_hooks();
}

void hook_runner::start_hooks() {
    while (auto call = queue_.next()) run(*call);
}

/// hook_dropped, the first of each reason in full, then a count once a
/// minute at most.
void hook_runner::note_dropped(const hook_call& call, const char* reason) {
    limited_.write(std::string("hook_dropped/") + reason,
                   event("hook", severity::warning, "hook_dropped")
                       .kv("call", call_text(call))
                       .kv("reason", reason)
                       .kv("running", static_cast<long long>(queue_.running()))
                       .kv("waiting", static_cast<long long>(queue_.waiting())));
}

/// Runs the notify program without waiting for it, killed (the whole
/// group) after notify-timeout. queue_ has counted it as running.
void hook_runner::run(const hook_call& call) {
    const std::string what = call_text(call);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        queue_.finished(call.important);
        logging::write(event("hook", severity::error, "hook_failed").kv("call", what).kv("error", std::strerror(errno)));
        return;
    }
    int rc = 0;
    pid_t pid = spawn_hook(opts_.notify, call, fds[1], rc);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        queue_.finished(call.important);
        logging::write(event("hook", severity::error, "hook_failed")
                           .kv("program", opts_.notify)
                           .kv("call", what)
                           .kv("error", std::strerror(rc)));
        return;
    }
    watch(pid, call, what, fds[0]);
}

/// Keeps the started hook: its output read from `out`, its timeout armed.
void hook_runner::watch(pid_t pid, const hook_call& call, const std::string& what, int out) {
    auto h = std::make_unique<running_hook>();
    h->id = ++ids_;
    h->what = what;
    h->important = call.important;
    h->started = now();
    h->buf.resize(read_chunk);
    h->out = std::make_unique<asio::posix::stream_descriptor>(io_, out);
    h->timer = std::make_unique<asio::steady_timer>(io_);
    h->timer->expires_after(opts_.notify_timeout);
    h->timer->async_wait([this, pid, id = h->id](boost::system::error_code ec) {
        if (ec) return;
        auto it = hooks_.find(pid);
        if (it != hooks_.end() && it->second->id == id) it->second->killed = true;
        else if (!lingering_.erase(id)) return;  // nothing of it left to kill
        ::kill(-pid, SIGKILL);  // the whole group: what it started too
    });
    hooks_.emplace(pid, std::move(h));
    read(pid);
}

void hook_runner::read(pid_t pid) {
    auto& h = *hooks_.at(pid);
    h.out->async_read_some(asio::buffer(h.buf), [this, pid, id = h.id](boost::system::error_code ec, std::size_t n) {
        auto it = hooks_.find(pid);
        if (it == hooks_.end() || it->second->id != id || ec == asio::error::operation_aborted) return;
        auto& h = *it->second;
        if (!ec) {
            take_output(h, n);
            // Past the limit: no more reads. The hook blocks on its
            // pipe until it ends or its timeout kills it.
            if (h.output_bytes < output_read) read(pid);
            return;
        }
        h.eof = true;
        finish(pid);
    });
}

void hook_runner::take_output(running_hook& h, std::size_t n) {
    if (h.output.size() < output_kept) h.output.append(h.buf.data(), std::min(n, output_kept - h.output.size()));
    h.output_bytes += n;
}

/// The hook's own process has ended: all it wrote is in the pipe now.
/// That much is read without blocking (within the limits), then the
/// pipe is closed: a process it started in a session of its own
/// (setsid) may hold the pipe open for ever, and must not hold the
/// hook's slot. One it started in its own process group is still
/// killed at the timeout, as it was while it held the pipe.
void hook_runner::end_output(running_hook& h) {
    boost::system::error_code ec;
    h.out->non_blocking(true, ec);
    while (!ec && h.output_bytes < output_read) {
        std::size_t n = h.out->read_some(asio::buffer(h.buf), ec);
        if (!ec) take_output(h, n);
    }
    h.pipe_held = ec == asio::error::would_block || ec == asio::error::try_again;
    h.out->cancel(ec);  // the pending read ends (operation_aborted)
    h.out->close(ec);
    h.eof = true;
}

void hook_runner::wait_children() {
    child_signals_.async_wait([this](boost::system::error_code ec, int) {
        if (ec) return;
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            auto it = hooks_.find(pid);
            if (it == hooks_.end()) continue;
            it->second->exited = true;
            it->second->status = status;
            if (!it->second->eof) end_output(*it->second);
            finish(pid);
        }
        wait_children();
    });
}

/// Logs a hook once it has exited and its output is read, and frees
/// its slot for the next.
void hook_runner::finish(pid_t pid) {
    auto it = hooks_.find(pid);
    if (it == hooks_.end() || !it->second->exited || !it->second->eof) return;
    auto& h = *it->second;
    if (h.pipe_held && !h.killed) lingering_.emplace(h.id, std::move(h.timer));  // kills the group at the timeout
    else h.timer->cancel();
    event e("hook", severity::info, "hook_done");
    e.kv("program", opts_.notify).kv("call", h.what);
    if (WIFEXITED(h.status)) e.kv("exit", WEXITSTATUS(h.status));
    else if (WIFSIGNALED(h.status)) e.kv("signal", WTERMSIG(h.status));
    if (h.killed) {
        e.level = severity::warning;
        e.kv("timeout", format_seconds(opts_.notify_timeout));
    } else if (!WIFEXITED(h.status) || WEXITSTATUS(h.status) != 0) {
        e.level = severity::warning;
    }
    e.kv("ms", (now() - h.started).count() / 1000);
    std::string out = h.output;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (!out.empty()) e.kv("output", printable_output(out));
    if (h.output_bytes > h.output.size())
        e.kv("output_bytes", static_cast<long long>(h.output_bytes))
            .kv("output_read", h.output_bytes >= output_read ? "stopped" : "all");
    if (h.pipe_held) e.kv("pipe_held", "yes");
    logging::write(e);
    const bool important = h.important;
    hooks_.erase(it);
    queue_.finished(important);
    start_hooks();
}

}  // namespace faild
