// DOC: limited_log — log lines that can repeat once per outside event (a
// notify call dropped, a control connection refused, accept() failing)
// under a rate limit: the first of each kind in full, later ones as a
// count once a minute at most, with the latest one's reason, call and
// error. log_limiter (core) counts; this keeps the timer that writes the
// counts.
#pragma once

#include "faild/core/event.hpp"
#include "faild/core/log_limiter.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <string>

namespace faild {

class limited_log {
public:
    /// `stopping`: the daemon's flag; once set, no count line is written.
    limited_log(boost::asio::io_context& io, const bool& stopping) : timer_(io), stopping_(stopping) {}

    /// Logs `e` if it is the first of its `kind` (a fixed key, such as
    /// "hook_dropped/busy"), else counts it for the next count line.
    void write(const std::string& kind, event e);

private:
    /// Wakes for the next count line, while one is due.
    void arm();

    log_limiter limit_;
    std::map<std::string, event> latest_;  ///< by kind: the latest line held back
    boost::asio::steady_timer timer_;
    bool armed_ = false;
    const bool& stopping_;
};

}  // namespace faild
