// DOC: effect_log — the one formatter: the core's typed effects as log lines.
//
// Each effect (faild/core/effects.hpp) becomes one `event`: its module (the
// log channel), its level and its `event=name key=value ...` text, exactly
// as faild has always written them. The log, the stream of `faildctl
// events` (JSON of the same fields) and nothing else read that text; hooks,
// status and the daemon's decisions read the effects themselves. This
// file's tests own the text of every line.
#pragma once

#include "faild/core/effects.hpp"
#include "faild/core/event.hpp"

namespace faild {

/// The log line of `e`.
event to_event(const effect& e);

}  // namespace faild
