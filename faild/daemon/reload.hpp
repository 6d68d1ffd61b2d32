// DOC: reload — SIGHUP: the configuration read again (the command line,
// then the files, as at start). What changed is options_diff's (core)
// answer: notify and notify-timeout take effect at once; every other
// change needs a restart and is named in the log:
//
//   event=reloaded notify=PROGRAM notify_timeout=S applied=notify|nothing
//                  [needs_restart=interval,port]
//   event=reload_failed error=...   (faild runs on with what it had)
#pragma once

#include "faild/core/options.hpp"
#include "faild/daemon/loop.hpp"

#include <string>
#include <vector>

namespace faild {

/// Reads the configuration again from `args` (the command line as faild
/// was started) and applies to `running` what can be applied at once.
void reload(options& running, const std::vector<std::string>& args, const emitter& emit);

}  // namespace faild
