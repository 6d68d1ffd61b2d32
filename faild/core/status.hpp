// DOC: status — what faildctl shows, built from the engine and the installed
// routes, in three forms: a table for people, `|`-separated records (header
// first, like `ctdb -X`) for scripts, and JSON.
//
// The control socket carries the `|` form; faildctl turns it into the others,
// so the daemon has one format to get right and faildctl needs no JSON parser.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/peer_table.hpp"
#include "faild/core/route.hpp"

#include <string>
#include <vector>

namespace faild {

/// One path as the operator sees it.
struct status_row {
    std::string peer, lan, family, state;
    unsigned missed = 0, good = 0;
    std::string rtt_ms;    ///< "0.123", "-" when not measured
    std::string loss_pct;  ///< over the last minute, "-" when no round
    std::string route;     ///< the route faild installed because of this path, "-" if none
};

/// One row per path, peers and LANs in order.
std::vector<status_row> build_status(const std::vector<lan>& lans, const peer_map& peers, const route_set& installed,
                                     timestamp now);

/// Field names, in order: peer|lan|family|state|missed|good|rtt_ms|loss_pct|route
const std::vector<std::string>& status_fields();

/// Records as lines of `|`-separated fields, header first (`|` in a value
/// becomes `_`).
std::string format_records(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
/// Splits such lines back: the header, then the rows. Rows whose field count
/// differs from the header's are dropped.
std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>> parse_records(const std::string& text);
/// An aligned table with upper-case headings.
std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
/// A JSON array of objects; fields named in `numeric` are numbers ("-": null).
std::string format_json(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                        const std::vector<std::string>& numeric);

std::vector<std::string> to_fields(const status_row& r);
/// Routes as records: dst|via|dev|src.
std::vector<std::vector<std::string>> route_records(const route_set& routes);

}  // namespace faild
