#include "faild/core/probe_wait.hpp"

namespace faild {

const char* to_string(wait_state s) {
    switch (s) {
    case wait_state::idle: return "idle";
    case wait_state::awaiting: return "awaiting";
    case wait_state::overdue: return "overdue";
    case wait_state::missed: return "missed";
    case wait_state::retrying: return "retrying";
    case wait_state::retry_overdue: return "retry_overdue";
    case wait_state::retry_missed: return "retry_missed";
    }
    return "?";
}

const char* to_string(wait_event e) {
    switch (e) {
    case wait_event::round_sent: return "round_sent";
    case wait_event::retry_sent: return "retry_sent";
    case wait_event::judge: return "judge";
    case wait_event::count: return "count";
    case wait_event::answer: return "answer";
    case wait_event::stop: return "stop";
    case wait_event::round_end: return "round_end";
    }
    return "?";
}

wait_state next_state(wait_state s, wait_event e) {
    using st = wait_state;
    switch (e) {
    case wait_event::round_sent: return st::awaiting;
    case wait_event::retry_sent: return st::retrying;
    case wait_event::answer:
    case wait_event::stop:
    case wait_event::round_end: return st::idle;
    case wait_event::judge:
        if (s == st::awaiting) return st::overdue;
        if (s == st::retrying) return st::retry_overdue;
        return s;  // nothing pending to judge
    case wait_event::count:
        if (s == st::overdue) return st::missed;
        if (s == st::retry_overdue) return st::retry_missed;
        return s;  // only an overdue probe is counted
    }
    return s;
}

bool probe_wait::retry() const {
    return state_ == wait_state::retrying || state_ == wait_state::retry_overdue || state_ == wait_state::retry_missed;
}

bool probe_wait::overdue() const { return awaiting() && state_ != wait_state::awaiting && state_ != wait_state::retrying; }

std::optional<purposeful_probe> probe_wait::retry_probe() const {
    if (!retry()) return std::nullopt;
    return retry_;
}

std::optional<timestamp> probe_wait::deadline() const {
    // Pending until judged: a retry's own, or the round INQ's if it has one.
    if (state_ == wait_state::retrying) return retry_.deadline;
    if (state_ != wait_state::awaiting || deadline_.count() < 0) return std::nullopt;
    return deadline_;
}

bool probe_wait::due(timestamp now) const {
    auto d = deadline();
    return d && now >= *d;
}

void probe_wait::begin(bool awaiting_round, std::uint32_t seq, bool excused) {
    state_ = awaiting_round ? wait_state::awaiting : wait_state::idle;
    seq_ = seq;
    excused_ = excused;
    deadline_ = timestamp(-1);
}

void probe_wait::round_sent(std::uint32_t seq, timestamp now, std::optional<timestamp> deadline) {
    state_ = next_state(state_, wait_event::round_sent);
    seq_ = seq;
    sent_ = now;
    deadline_ = deadline.value_or(timestamp(-1));
}

void probe_wait::retry_sent(const purposeful_probe& retry, timestamp now) {
    state_ = next_state(state_, wait_event::retry_sent);
    retry_ = retry;
    seq_ = retry.seq;
    sent_ = now;
    deadline_ = timestamp(-1);  // the retry's is its own
}

void probe_wait::judge() {
    state_ = next_state(state_, wait_event::judge);
    deadline_ = timestamp(-1);  // judged now, once
}

void probe_wait::count() { state_ = next_state(state_, wait_event::count); }

void probe_wait::answer() {
    state_ = next_state(state_, wait_event::answer);
    excused_ = false;
    deadline_ = timestamp(-1);
}

void probe_wait::stop() {
    state_ = next_state(state_, wait_event::stop);
    deadline_ = timestamp(-1);
}

probe_wait::close_result probe_wait::round_end(bool quiet_mutual, timestamp now) {
    if (quiet_mutual && retry()) return close_result::untouched;
    if (!awaiting()) return close_result::untouched;
    const wait_state was = state_;
    const bool was_retry = retry();
    // A retry whose deadline is still ahead is not blamed yet (its late
    // ACK will still count).
    const bool retry_not_due = was == wait_state::retrying && now < retry_.deadline;
    state_ = next_state(state_, wait_event::round_end);
    if (excused_) {
        excused_ = false;
        return close_result::excused;
    }
    // Each probe counts once: not again when its deadline counted it.
    const bool counted = was == wait_state::missed || was == wait_state::retry_missed;
    if (counted || retry_not_due) return close_result::closed;
    return was_retry ? close_result::missed_confirmed : close_result::missed;
}

}  // namespace faild
