// DOC: clock — time in the core is a plain number passed in by the caller.
//
// `timestamp` counts microseconds on a monotonic clock from an arbitrary
// origin. The daemon passes steady_clock readings; tests pass timelines.
#pragma once

#include <chrono>

namespace faild {

using timestamp = std::chrono::microseconds;
using duration = std::chrono::microseconds;

/// Milliseconds as a timestamp/duration, for readable tests and defaults.
constexpr duration ms(long long v) { return std::chrono::milliseconds(v); }

}  // namespace faild
