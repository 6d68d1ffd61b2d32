#include "faild/core/inq_wait.hpp"

namespace faild {

const char* to_string(inq_state s) {
    switch (s) {
    case inq_state::expecting: return "expecting";
    case inq_state::counted: return "counted";
    case inq_state::lapsed: return "lapsed";
    }
    return "?";
}

const char* to_string(inq_event e) {
    switch (e) {
    case inq_event::start: return "start";
    case inq_event::inq: return "inq";
    case inq_event::good: return "good";
    case inq_event::lapse: return "lapse";
    }
    return "?";
}

inq_state next_state(inq_state s, inq_event e) {
    // A counted round stays counted for half an interval, whatever comes.
    if (s == inq_state::counted || e == inq_event::good) return inq_state::counted;
    return e == inq_event::lapse ? inq_state::lapsed : inq_state::expecting;
}

bool inq_wait::marked(timestamp now, duration interval) const {
    return counted_at_ >= timestamp(0) && now - counted_at_ < interval / 2;
}

inq_state inq_wait::state(timestamp now, duration interval) const {
    return marked(now, interval) ? inq_state::counted : state_;
}

void inq_wait::start(timestamp now, duration interval) {
    state_ = inq_state::expecting;
    due_ = now + interval * 3 / 2;
}

void inq_wait::inq(timestamp now, duration interval, std::optional<duration> slack) {
    state_ = inq_state::expecting;
    if (!slack) {
        due_ = now + interval * 3 / 2;
        return;
    }
    last_inq_ = now;
    due_ = now + interval + *slack;
    heard_until_ = now + interval * 3 / 2;
}

bool inq_wait::count_good(timestamp now, duration interval, bool mutual) {
    if (!mutual) return true;  // every good its own round: no mark
    if (marked(now, interval)) return false;
    counted_at_ = now;
    state_ = inq_state::expecting;  // `counted` while the mark lasts
    return true;
}

unsigned inq_wait::lapses(timestamp now, duration interval, unsigned fail_after) {
    unsigned n = 0;
    for (; now >= due_; ++n) {
        due_ += interval;
        // After a long stall (suspend), f misses say all there is.
        if (n >= fail_after) due_ = now + interval;
    }
    if (n > 0) state_ = inq_state::lapsed;
    return n;
}

bool inq_wait::lapse(timestamp now, duration interval) {
    if (now < due_) return false;
    due_ += interval;
    if (due_ <= now) due_ = now + interval;  // after a stall (suspend)
    state_ = inq_state::lapsed;
    return true;
}

}  // namespace faild
