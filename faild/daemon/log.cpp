// Debian's Boost.Log is built with the native syslog(3) API (it calls
// openlog); its headers offer that implementation only with this defined.
#define BOOST_LOG_USE_NATIVE_SYSLOG 1

#include "faild/daemon/log.hpp"

#include <boost/core/null_deleter.hpp>
#include <boost/log/attributes/clock.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/utility/exception_handler.hpp>
#include <boost/log/sinks/async_frontend.hpp>
#include <boost/log/sinks/bounded_fifo_queue.hpp>
#include <boost/log/sinks/sync_frontend.hpp>
#include <boost/log/sinks/syslog_backend.hpp>
#include <boost/log/sinks/text_file_backend.hpp>
#include <boost/log/sinks/text_ostream_backend.hpp>
#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_channel_logger.hpp>
#include <boost/log/support/date_time.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <syslog.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>

namespace faild {
/// For Boost.Log's formatter (found by argument-dependent lookup).
std::ostream& operator<<(std::ostream& os, severity s) { return os << to_string(s); }
}  // namespace faild

namespace faild::logging {

namespace {

namespace bl = boost::log;
namespace expr = boost::log::expressions;

using logger_t = bl::sources::severity_channel_logger<severity, std::string>;

/// Records that found the queue full, dropped (count_and_drop, which runs
/// in the thread that logs: the loop's).
std::atomic<std::uint64_t> g_dropped{0};
/// How many of them a log_dropped line has reported.
std::uint64_t g_dropped_reported = 0;

/// The queue's overflow policy: the record is dropped and counted, the
/// caller (the probe loop) never waits (Boost.Log's drop_on_overflow,
/// counted).
struct count_and_drop {
    template <typename LockT>
    static bool on_overflow(const bl::record_view&, LockT&) {
        g_dropped.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    static void on_queue_space_available() {}
    static void interrupt() {}
};
/// Lines that may wait for the writer thread; beyond, they are dropped.
constexpr std::size_t queue_limit = 4096;
using bounded_queue = bl::sinks::bounded_fifo_queue<queue_limit, count_and_drop>;

/// The file backend, reopened by its own thread: reopen() only asks
/// (locked_backend() would wait for a write that a slow disk holds up).
class reopening_file_backend : public bl::sinks::text_file_backend {
public:
    using text_file_backend::text_file_backend;
    void request_reopen() { reopen_.store(true); }
    void consume(const bl::record_view& rec, const string_type& line) {
        // rotate_file() closes the file; this write opens the same name
        // again (append), which is the fresh file after logrotate moved the old.
        if (reopen_.exchange(false)) rotate_file();
        text_file_backend::consume(rec, line);
    }

private:
    std::atomic<bool> reopen_{false};
};
using file_sink = bl::sinks::asynchronous_sink<reopening_file_backend, bounded_queue>;
using syslog_sink = bl::sinks::asynchronous_sink<bl::sinks::syslog_backend, bounded_queue>;

BOOST_LOG_ATTRIBUTE_KEYWORD(a_severity, "Severity", severity)
BOOST_LOG_ATTRIBUTE_KEYWORD(a_channel, "Channel", std::string)
BOOST_LOG_ATTRIBUTE_KEYWORD(a_time, "TimeStamp", boost::posix_time::ptime)

boost::shared_ptr<file_sink> g_file_sink;
boost::shared_ptr<reopening_file_backend> g_file_backend;
boost::shared_ptr<syslog_sink> g_syslog_sink;
std::atomic<bool> g_write_failed{false};

/// Makes an asynchronous sink, whose writer thread starts with every signal
/// blocked: a process-directed signal (SIGTERM, SIGHUP, SIGUSR1) must reach
/// the loop's thread, never be taken by the writer (after stop() has
/// blocked SIGTERM in the loop, a second one would kill faild with the
/// default action).
template <typename Sink, typename Backend>
boost::shared_ptr<Sink> make_quiet_sink(const boost::shared_ptr<Backend>& backend) {
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &before);
    auto sink = boost::make_shared<Sink>(backend);
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    return sink;
}

/// A log that cannot be written (disk full, a file logrotate made that we
/// may not open) must never take the daemon down with its routes: say it
/// on stderr, once until the next reopen, and go on. (The writer thread's
/// failures reach the sink's handler, the caller's the core's.)
auto write_failure_handler() {
    return bl::make_exception_handler<std::exception>([](const std::exception& e) {
        if (!g_write_failed.exchange(true)) std::cerr << "faild: cannot write the log: " << e.what() << "\n";
    });
}

logger_t& channel(const std::string& module) {
    static std::map<std::string, logger_t> loggers;  // the daemon logs from one thread
    auto it = loggers.find(module);
    if (it == loggers.end()) it = loggers.emplace(module, logger_t(bl::keywords::channel = module)).first;
    return it->second;
}

auto formatter() {
    return expr::stream << "time=" << expr::format_date_time(a_time, "%Y-%m-%dT%H:%M:%S.%fZ")
                        << " level=" << a_severity << " module=" << a_channel << " " << expr::smessage;
}

/// syslog(3) priority of a severity (LOG_DEBUG 7 ... LOG_ERR 3).
int priority(severity s) {
    switch (s) {
    case severity::debug: return 7;
    case severity::info: return 6;
    case severity::warning: return 4;
    case severity::error: return 3;
    }
    return 6;
}

/// True when standard error is the journal's stream (systemd sets
/// JOURNAL_STREAM to its "device:inode"): then each line starts with the
/// priority, "<4>" for a warning, which the journal takes as the line's
/// priority instead of the unit's default (info).
bool stderr_is_journal() {
    const char* js = std::getenv("JOURNAL_STREAM");
    struct stat st {};
    if (!js || ::fstat(2, &st) != 0) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
    return dev == static_cast<unsigned long long>(st.st_dev) && ino == static_cast<unsigned long long>(st.st_ino);
}

/// syslog adds its own time stamp: the rest of the line as in a file.
auto syslog_formatter() {
    return expr::stream << "level=" << a_severity << " module=" << a_channel << " " << expr::smessage;
}

/// To stderr; each line with its priority first ("<4>") when stderr is
/// the journal's stream.
void add_stderr_sink() {
    auto backend = boost::make_shared<bl::sinks::text_ostream_backend>();
    backend->add_stream(boost::shared_ptr<std::ostream>(&std::clog, boost::null_deleter()));
    backend->auto_flush(true);
    auto sink = boost::make_shared<bl::sinks::synchronous_sink<bl::sinks::text_ostream_backend>>(backend);
    if (stderr_is_journal())
        sink->set_formatter([f = formatter()](const bl::record_view& rec, bl::formatting_ostream& os) {
            if (auto s = rec[a_severity]) os << '<' << priority(*s) << '>';
            f(rec, os);
        });
    else
        sink->set_formatter(formatter());
    bl::core::get()->add_sink(sink);
}

/// Through the C library's syslog(3) to /dev/log (journald's socket
/// under systemd), facility daemon, ident "faild", with the pid.
void add_syslog_sink() {
    namespace sl = bl::sinks::syslog;
    auto backend = boost::make_shared<bl::sinks::syslog_backend>(
        bl::keywords::facility = sl::daemon, bl::keywords::use_impl = sl::native, bl::keywords::ident = "faild");
    sl::custom_severity_mapping<severity> levels("Severity");
    for (auto s : {severity::debug, severity::info, severity::warning, severity::error})
        levels[s] = sl::make_level(priority(s));
    backend->set_severity_mapper(levels);
    // The backend opened the log without LOG_PID: open it again (the
    // last openlog() wins) so each line names the process, as usual.
    ::openlog("faild", LOG_PID, LOG_DAEMON);
    g_syslog_sink = make_quiet_sink<syslog_sink>(backend);
    g_syslog_sink->set_formatter(syslog_formatter());
    g_syslog_sink->set_exception_handler(write_failure_handler());
    bl::core::get()->add_sink(g_syslog_sink);
}

/// To `file`, appended to and flushed per line by the writer thread;
/// reopen() reopens it.
bool add_file_sink(const std::string& file, std::string& error) {
    // Boost.Log opens the file lazily; check now so a bad path is an error
    // at start, not a silent loss later.
    if (FILE* f = std::fopen(file.c_str(), "a")) {
        std::fclose(f);
    } else {
        error = "cannot open log file '" + file + "': " + std::strerror(errno);
        return false;
    }
    // Default open mode truncates: append, so a restart keeps the history.
    g_file_backend = boost::make_shared<reopening_file_backend>(
        bl::keywords::file_name = file, bl::keywords::open_mode = std::ios_base::out | std::ios_base::app);
    g_file_backend->auto_flush(true);
    g_file_sink = make_quiet_sink<file_sink>(g_file_backend);
    g_file_sink->set_formatter(formatter());
    g_file_sink->set_exception_handler(write_failure_handler());
    bl::core::get()->add_sink(g_file_sink);
    return true;
}

/// Before init() sets the sinks anew: the old ones stopped, flushed, gone.
void drop_sinks() {
    shutdown();
    bl::core::get()->remove_all_sinks();
    g_file_sink.reset();
    g_file_backend.reset();
    g_syslog_sink.reset();
}

}  // namespace

bool init(const std::string& file, std::string& error) {
    drop_sinks();
    auto core = bl::core::get();
    core->add_global_attribute("TimeStamp", bl::attributes::utc_clock());
    core->set_filter(a_severity >= severity::info);
    core->set_exception_handler(write_failure_handler());
    if (file.empty()) {
        add_stderr_sink();
        return true;
    }
    if (file == "syslog") {
        add_syslog_sink();
        return true;
    }
    return add_file_sink(file, error);
}

void reopen() {
    g_write_failed = false;
    if (g_file_backend) g_file_backend->request_reopen();  // done by the writer thread, before its next line
}

void write(const event& e) {
    // Lines dropped since the last report: said before this one, as soon
    // as the queue takes lines again. A report that does not fit either is
    // not a lost line: it is taken back from the count, and the next line
    // tries again.
    if (const std::uint64_t dropped = g_dropped.load(std::memory_order_relaxed); dropped != g_dropped_reported) {
        const event note = event("daemon", severity::warning, "log_dropped")
                               .kv("count", static_cast<long long>(dropped - g_dropped_reported))
                               .kv("total", static_cast<long long>(dropped))
                               .kv("reason", "queue_full");
        BOOST_LOG_SEV(channel(note.module), note.level) << note.text;
        // on_overflow() runs in this thread: nothing else moves the count.
        if (g_dropped.load(std::memory_order_relaxed) != dropped) g_dropped.fetch_sub(1, std::memory_order_relaxed);
        else g_dropped_reported = dropped;
    }
    BOOST_LOG_SEV(channel(e.module), e.level) << e.text;
}

std::uint64_t dropped() { return g_dropped.load(std::memory_order_relaxed); }

void flush() {
    if (g_file_sink) g_file_sink->flush();
    if (g_syslog_sink) g_syslog_sink->flush();
}

void shutdown() {
    // stop() ends the writer thread; flush() then writes what is left in
    // this one.
    if (g_file_sink) {
        g_file_sink->stop();
        g_file_sink->flush();
    }
    if (g_syslog_sink) {
        g_syslog_sink->stop();
        g_syslog_sink->flush();
    }
}


void write(const event_list& events) {
    for (const auto& e : events) write(e);
}

}  // namespace faild::logging
