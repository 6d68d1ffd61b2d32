#include "faild/core/path_tracker.hpp"

namespace faild {

namespace {
constexpr unsigned counter_cap = 1'000'000'000;  // counts stay readable, never wrap
}  // namespace

const char* to_string(path_state s) {
    switch (s) {
    case path_state::init: return "init";
    case path_state::up: return "up";
    case path_state::down: return "down";
    }
    return "?";
}

const char* to_string(down_reason r) {
    switch (r) {
    case down_reason::missed: return "missed";
    case down_reason::one_way: return "one-way";
    case down_reason::carrier: return "carrier";
    case down_reason::peer_notice: return "peer-notice";
    }
    return "?";
}

path_tracker::path_tracker(unsigned fail_after, unsigned up_after, timestamp now)
    : fail_after_(fail_after ? fail_after : 1), up_after_(up_after ? up_after : 1), since_(now) {}

std::optional<transition> path_tracker::good(timestamp now) {
    missed_ = 0;
    if (good_ < counter_cap) ++good_;
    if (state_ != path_state::up && good_ >= up_after_) {
        transition t{state_, path_state::up, missed_, good_};
        state_ = path_state::up;
        since_ = now;
        return t;
    }
    return std::nullopt;
}

std::optional<transition> path_tracker::miss(timestamp now, down_reason why) {
    good_ = 0;
    if (missed_ < counter_cap) ++missed_;
    if (state_ != path_state::down && missed_ >= fail_after_) {
        transition t{state_, path_state::down, missed_, good_, why};
        state_ = path_state::down;
        since_ = now;
        return t;
    }
    return std::nullopt;
}

std::optional<transition> path_tracker::force_down(timestamp now, down_reason why) {
    good_ = 0;
    if (state_ == path_state::down) return std::nullopt;
    transition t{state_, path_state::down, missed_, good_, why};
    state_ = path_state::down;
    since_ = now;
    return t;
}

}  // namespace faild
