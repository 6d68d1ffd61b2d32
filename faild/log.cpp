#include "faild/log.hpp"

#include <boost/core/null_deleter.hpp>
#include <boost/log/attributes/clock.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/utility/exception_handler.hpp>
#include <boost/log/sinks/sync_frontend.hpp>
#include <boost/log/sinks/text_file_backend.hpp>
#include <boost/log/sinks/text_ostream_backend.hpp>
#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_channel_logger.hpp>
#include <boost/log/support/date_time.hpp>

#include <atomic>
#include <cstdio>
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
using file_sink = bl::sinks::synchronous_sink<bl::sinks::text_file_backend>;

BOOST_LOG_ATTRIBUTE_KEYWORD(a_severity, "Severity", severity)
BOOST_LOG_ATTRIBUTE_KEYWORD(a_channel, "Channel", std::string)
BOOST_LOG_ATTRIBUTE_KEYWORD(a_time, "TimeStamp", boost::posix_time::ptime)

boost::shared_ptr<file_sink> g_file_sink;
std::atomic<bool> g_write_failed{false};

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

}  // namespace

bool init(const std::string& file, std::string& error) {
    auto core = bl::core::get();
    core->remove_all_sinks();
    core->add_global_attribute("TimeStamp", bl::attributes::utc_clock());
    core->set_filter(a_severity >= severity::info);
    // A log that cannot be written (disk full, a file logrotate made that we
    // may not open) must never take the daemon down with its routes: say it
    // on stderr, once until the next reopen, and go on.
    core->set_exception_handler(bl::make_exception_handler<std::exception>([](const std::exception& e) {
        if (!g_write_failed.exchange(true)) std::cerr << "faild: cannot write the log: " << e.what() << "\n";
    }));
    if (file.empty()) {
        auto backend = boost::make_shared<bl::sinks::text_ostream_backend>();
        backend->add_stream(boost::shared_ptr<std::ostream>(&std::clog, boost::null_deleter()));
        backend->auto_flush(true);
        auto sink = boost::make_shared<bl::sinks::synchronous_sink<bl::sinks::text_ostream_backend>>(backend);
        sink->set_formatter(formatter());
        core->add_sink(sink);
        return true;
    }
    // Boost.Log opens the file lazily; check now so a bad path is an error
    // at start, not a silent loss later.
    if (FILE* f = std::fopen(file.c_str(), "a")) {
        std::fclose(f);
    } else {
        error = "cannot open log file '" + file + "': " + std::strerror(errno);
        return false;
    }
    // Default open mode truncates: append, so a restart keeps the history.
    auto backend = boost::make_shared<bl::sinks::text_file_backend>(
        bl::keywords::file_name = file, bl::keywords::open_mode = std::ios_base::out | std::ios_base::app);
    backend->auto_flush(true);
    g_file_sink = boost::make_shared<file_sink>(backend);
    g_file_sink->set_formatter(formatter());
    core->add_sink(g_file_sink);
    return true;
}

void reopen() {
    // rotate_file() closes the file; the next record opens the same name
    // again (append), which is the fresh file after logrotate moved the old.
    g_write_failed = false;
    if (g_file_sink) g_file_sink->locked_backend()->rotate_file();
}

void write(const event& e) { BOOST_LOG_SEV(channel(e.module), e.level) << e.text; }

void write(const event_list& events) {
    for (const auto& e : events) write(e);
}

}  // namespace faild::logging
