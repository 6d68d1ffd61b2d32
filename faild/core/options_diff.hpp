// DOC: options_diff — which settings differ between two readings of the
// configuration, by their names in faild.conf(5). SIGHUP (daemon: reload)
// reads the files again: notify and notify-timeout take effect at once,
// every other change needs a restart and is named in the log. Compares
// the settings themselves, field by field (the routing table by number,
// so `table = main` and `table = 254` are the same table); never text.
#pragma once

#include "faild/core/options.hpp"

#include <string>
#include <vector>

namespace faild {

/// The names (faild.conf's keys) of the settings whose values differ
/// between `before` and `after`, sorted. The key file is compared by path
/// (keys are loaded by main(), not by parse_options()); the files read,
/// and --check-config, are no settings.
std::vector<std::string> changed_settings(const options& before, const options& after);

/// What a reload does with the configuration read again.
struct reload_plan {
    bool apply_notify = false;               ///< notify or notify-timeout changed: both taken at once
    std::vector<std::string> needs_restart;  ///< every other setting that changed, sorted
};

/// The plan for going from `running` to `fresh`.
reload_plan plan_reload(const options& running, const options& fresh);

}  // namespace faild
