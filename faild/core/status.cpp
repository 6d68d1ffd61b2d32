#include "faild/core/status.hpp"

#include "faild/core/event.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace faild {

namespace {

std::string clean(std::string s) {
    std::replace(s.begin(), s.end(), '|', '_');
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
}

std::string fixed(double v, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}


}  // namespace

const std::vector<std::string>& status_fields() {
    static const std::vector<std::string> f = {"peer", "lan", "family", "state", "missed",
                                               "good", "rtt_ms", "loss_pct", "route"};
    return f;
}

std::vector<status_row> build_status(const std::vector<lan>& lans, const peer_map& peers, const route_set& installed,
                                     timestamp now) {
    std::vector<status_row> out;
    for (const auto& [id, p] : peers)
        for (const auto& [k, pa] : p.paths) {
            if (k.lan >= lans.size()) continue;
            status_row r;
            r.peer = id;
            r.lan = lans[k.lan].name;
            r.family = to_string(k.fam);
            r.state = to_string(pa.tracker.state());
            if (pa.damping.suppressed()) r.state += "/suppressed";
            r.missed = pa.tracker.missed();
            r.good = pa.tracker.good_rounds();
            r.rtt_ms = pa.rtt.measured() ? fixed(double(pa.rtt.srtt().count()) / 1000.0, 3) : "-";
            auto loss = pa.rounds.loss_percent(now);
            r.loss_pct = loss ? fixed(*loss, 1) : "-";
            // The routes this path's failure put in: the peer's addresses on
            // this LAN, in this family.
            std::string routes;
            for (const auto& a : p.addresses) {
                if (a.fam() != k.fam || !lans[k.lan].in_prefixes(a)) continue;
                auto it = installed.find(a);
                if (it == installed.end()) continue;
                routes += (routes.empty() ? "" : ", ") + it->second.to_string();
            }
            r.route = routes.empty() ? "-" : routes;
            out.push_back(std::move(r));
        }
    return out;
}

std::vector<std::string> to_fields(const status_row& r) {
    return {r.peer, r.lan, r.family, r.state, std::to_string(r.missed), std::to_string(r.good), r.rtt_ms, r.loss_pct,
            r.route};
}

std::vector<std::vector<std::string>> route_records(const route_set& routes) {
    std::vector<std::vector<std::string>> out;
    for (const auto& [dst, r] : routes)
        out.push_back({dst.to_string() + (dst.is_v4() ? "/32" : "/128"), r.via.to_string(), r.dev, r.src.to_string()});
    return out;
}

std::string format_records(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::string out;
    auto line = [&](const std::vector<std::string>& f) {
        for (std::size_t i = 0; i < f.size(); ++i) out += (i ? "|" : "") + clean(f[i]);
        out += '\n';
    };
    line(header);
    for (const auto& r : rows) line(r);
    return out;
}

std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>> parse_records(const std::string& text) {
    std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>> out;
    std::istringstream in(text);
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::size_t pos = 0;
        for (;;) {
            auto bar = line.find('|', pos);
            f.push_back(line.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos));
            if (bar == std::string::npos) break;
            pos = bar + 1;
        }
        if (first) {
            out.first = std::move(f);
            first = false;
        } else if (f.size() == out.first.size()) {
            out.second.push_back(std::move(f));
        }
    }
    return out;
}

std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size());
    std::vector<std::string> heads;
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string h = header[i];
        std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return char(std::toupper(c)); });
        heads.push_back(h);
        width[i] = h.size();
    }
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
    std::string out;
    auto line = [&](const std::vector<std::string>& f) {
        std::string l;
        for (std::size_t i = 0; i < f.size(); ++i) {
            l += f[i];
            if (i + 1 < f.size()) l += std::string(width[i] - f[i].size() + 2, ' ');
        }
        out += l + "\n";
    };
    line(heads);
    for (const auto& r : rows) line(r);
    return out;
}

std::string format_json(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                        const std::vector<std::string>& numeric) {
    std::string out = "[";
    for (std::size_t r = 0; r < rows.size(); ++r) {
        out += r ? ",\n {" : "\n {";
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (i) out += ", ";
            append_json_string(out, header[i]);
            out += ": ";
            const std::string& v = rows[r][i];
            bool num = std::find(numeric.begin(), numeric.end(), header[i]) != numeric.end();
            if (num && v == "-") out += "null";
            else if (num) out += v;
            else append_json_string(out, v);
        }
        out += "}";
    }
    out += rows.empty() ? "]\n" : "\n]\n";
    return out;
}

}  // namespace faild
