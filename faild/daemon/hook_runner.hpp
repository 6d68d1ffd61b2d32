// DOC: hook_runner — runs the notify program (-x) for the calls the hook
// planner (core: hooks) makes of events, without ever waiting for it.
//
//   offer(call) ─> hook_queue (core: start now, wait, or drop) ─> spawn
//   spawn: posix_spawn, its own process group, stdin /dev/null,
//          stdout+stderr into a pipe read here (2 KiB kept, 1 MiB read)
//   SIGCHLD ─> waitpid ─> the rest of its output ─> event=hook_done
//   notify-timeout ─> SIGKILL to the whole group (what it started too)
//
// A hook that exits while something it started holds the pipe is done (its
// slot frees); that process group is still killed at the timeout.
#pragma once

#include "faild/core/hooks.hpp"
#include "faild/core/options.hpp"
#include "faild/daemon/limited_log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace faild {

class hook_runner {
public:
    /// `opts` is read at each use: SIGHUP changes notify and notify-timeout
    /// (the program, and how long it may run). `limited` logs hook_dropped.
    hook_runner(boost::asio::io_context& io, const options& opts, limited_log& limited);
    ~hook_runner();

    /// Starts reaping children (SIGCHLD).
    void start();

    /// A notify call for an event: it starts now, or when a slot frees,
    /// or is dropped (hook_queue decides: never an important call for
    /// unimportant ones).
    void offer(const hook_call& call);

private:
    struct running_hook;
    /// Of a hook's output, this much goes into the log; at most
    /// output_read is read at all (in chunks of read_chunk), then no more:
    /// a hook that writes without end blocks on its pipe, at no cost to
    /// faild, until it ends or its timeout kills it.
    static constexpr std::size_t output_kept = 2048;
    static constexpr std::size_t output_read = 1 << 20;
    static constexpr std::size_t read_chunk = 64 * 1024;

    void start_hooks();
    void note_dropped(const hook_call& call, const char* reason);
    void run(const hook_call& call);
    void watch(pid_t pid, const hook_call& call, const std::string& what, int out);
    void read(pid_t pid);
    static void take_output(running_hook& h, std::size_t n);
    void end_output(running_hook& h);
    void wait_children();
    void finish(pid_t pid);

    boost::asio::io_context& io_;
    const options& opts_;
    limited_log& limited_;
    boost::asio::signal_set child_signals_;
    std::map<pid_t, std::unique_ptr<running_hook>> hooks_;
    hook_queue queue_;
    std::uint64_t ids_ = 0;
    /// Timers of hooks that ended while a process they started held their
    /// output: each kills that process group at the hook's timeout.
    std::map<std::uint64_t, std::unique_ptr<boost::asio::steady_timer>> lingering_;
};

}  // namespace faild
