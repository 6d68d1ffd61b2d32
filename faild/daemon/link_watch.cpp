// DOC: link_watch — see link_watch.hpp.
#include "faild/daemon/link_watch.hpp"

namespace faild {

namespace asio = boost::asio;

link_watch::link_watch(asio::io_context& io, engine& eng, lan_sockets& sockets, lan_claims& claims,
                       const options& opts, std::unique_ptr<platform::link_source> links,
                       std::unique_ptr<platform::link_monitor> monitor, emitter emit,
                       std::function<void(engine_output&)> handle, const bool& stopping)
    : engine_(eng),
      sockets_(sockets),
      claims_(claims),
      opts_(opts),
      links_(std::move(links)),
      monitor_(std::move(monitor)),
      emit_(std::move(emit)),
      handle_(std::move(handle)),
      stopping_(stopping),
      present_(eng.lans().size(), true),
      dadfailed_(eng.lans().size()),
      startup_lans_(eng.lans().size()) {
    if (monitor_) monitor_fd_ = std::make_unique<asio::posix::stream_descriptor>(io, monitor_->fd());
}

link_watch::~link_watch() {
    // The monitor owns its descriptor: Asio must not close it.
    if (monitor_fd_) monitor_fd_->release();
}

void link_watch::start() {
    if (monitor_fd_) wait_monitor();
}

void link_watch::wait_monitor() {
    monitor_fd_->async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
        if (stopping_) return;
        if (ec) return wait_failed(emit_, "link_monitor", ec);
        if (monitor_->drain()) refresh();
        wait_monitor();
    });
}

void link_watch::note_dadfailed(const std::vector<interface_info>& ifs) {
    for (std::size_t li = 0; li < engine_.lans().size(); ++li) {
        const std::string& name = engine_.lans()[li].name;
        std::set<ip_address> now_failed;
        for (const auto& i : ifs)
            if (i.name == name)
                for (const auto& a : i.addrs)
                    if (a.dadfailed) now_failed.insert(a.addr.addr);
        auto& logged = dadfailed_[li];
        for (const auto& a : now_failed)
            if (!logged.count(a))
                emit_(event("lan", severity::error, "address_dadfailed")
                          .kv("lan", name)
                          .kv("addr", a.to_string())
                          .kv("family", to_string(a.fam()))
                          .kv("note", "duplicate address on the LAN: not used; this LAN-family is "
                                      "faulty until the address is replaced"));
        for (const auto& a : logged)
            if (!now_failed.count(a))
                emit_(event("lan", severity::info, "address_dadfailed_cleared").kv("lan", name).kv("addr", a.to_string()));
        logged = std::move(now_failed);
    }
}

/// Interfaces gone or back (with a new ifindex: the old sockets are bound
/// to a device that is no more, so they are opened again), new interfaces
/// when no -i list fixes the set; the engine gets the new list.
void link_watch::refresh() {
    std::string error;
    auto all = links_->list(error);
    if (!error.empty()) {
        emit_(event("lan", severity::error, "interfaces_unreadable").kv("error", error));
        return;
    }
    const lan_diff diff = diff_lans(engine_.lans(), present_, all, rules(),
                                    [this](std::size_t li) { return engine_.has_paths_on(li); });
    std::vector<lan> lans = engine_.lans();
    bool changed = apply_updates(diff, lans);
    changed = drop_gone(diff.kept, lans) || changed;
    changed = add_new(diff.added, lans) || changed;
    if (!changed) return note_dadfailed(all);
    hand_over(lans, all);
}

bool link_watch::droppable(std::size_t count) const {
    return faild::droppable(count, present_, rules(), [this](std::size_t li) { return engine_.has_paths_on(li); });
}

/// Each LAN's news, logged in the order of the list; `lans` takes them.
bool link_watch::apply_updates(const lan_diff& diff, std::vector<lan>& lans) {
    bool changed = false;
    for (std::size_t li = 0; li < lans.size(); ++li) {
        const lan_update& u = diff.lans[li];
        const lan& was = lans[li];
        if (u.gone) {
            emit_(event("lan", severity::warning, "link_gone").kv("lan", was.name));
            sockets_.close(li);
            present_[li] = false;
        }
        if (u.back) {
            emit_(event("lan", severity::info, "link_back").kv("lan", was.name).kv("ifindex", u.now.ifindex));
            sockets_.close(li);
            present_[li] = true;
            sockets_.open_missing(li);
        }
        if (u.carrier_changed)
            emit_(event("lan", u.now.carrier ? severity::info : severity::warning, u.now.carrier ? "link_up" : "link_down")
                      .kv("lan", was.name));
        if (u.addresses_changed)
            emit_(event("lan", severity::info, "addresses_changed")
                      .kv("lan", u.now.name)
                      .kv("addrs", address_list(u.now))
                      .kv("was", address_list(was)));
        if (u.changed) {
            lans[li] = u.now;
            changed = true;
        }
    }
    return changed;
}

/// A LAN added while running (no -i list) whose interface is gone again,
/// last in the list and with no path to any peer on it, is dropped:
/// interfaces that come and go under new names (container bridges) must
/// not grow the list for good. The others keep their place, so the order
/// of preference never changes.
bool link_watch::drop_gone(std::size_t kept, std::vector<lan>& lans) {
    bool changed = false;
    while (lans.size() > kept) {
        for (const auto& a : dadfailed_.back())  // it goes from the list: cleared
            emit_(event("lan", severity::info, "address_dadfailed_cleared")
                      .kv("lan", lans.back().name)
                      .kv("addr", a.to_string()));
        emit_(event("lan", severity::info, "lan_removed").kv("lan", lans.back().name));
        claims_.release(lans.back().name);
        lans.pop_back();
        sockets_.drop_last();
        dadfailed_.pop_back();
        present_.pop_back();
        changed = true;
    }
    return changed;
}

/// New eligible interfaces join at the end, if they are ours to claim.
bool link_watch::add_new(const std::vector<interface_info>& added, std::vector<lan>& lans) {
    bool changed = false;
    for (const auto& i : added) {
        if (!claims_.claim_new(i.name)) continue;
        lans.push_back(to_lan(i));
        sockets_.add_lan();
        dadfailed_.emplace_back();
        present_.push_back(true);
        changed = true;
        check_rp_filter(i.name);
        emit_(event("lan", severity::info, "lan_added")
                  .kv("lan", i.name)
                  .kv("ifindex", i.ifindex)
                  .kv("addrs", address_list(lans.back())));
    }
    return changed;
}

/// The engine takes the new list; sockets missing on a present LAN are
/// opened (an address came, IPv6 became possible); routes are re-planned.
void link_watch::hand_over(const std::vector<lan>& lans, const std::vector<interface_info>& all) {
    engine_output out;
    if (!engine_.update_lans(lans, now(), out)) {
        // Cannot be: droppable() asked the engine first. Keep the
        // daemon's per-LAN lists as long as the engine's.
        emit_(event("daemon", severity::error, "lan_list_refused")
                  .kv("lans", static_cast<long long>(lans.size()))
                  .kv("note", "internal error, please report: the LANs stay as they were"));
        sockets_.resize(engine_.lans().size());
        dadfailed_.resize(engine_.lans().size());
        present_.resize(engine_.lans().size(), false);
    }
    note_dadfailed(all);  // after the engine took the list: same length as ours
    for (std::size_t li = 0; li < engine_.lans().size(); ++li) {
        bool v6_missing = !sockets_.has(li, family::v6) && engine_.lans()[li].link_local;
        if (present_[li] && (!sockets_.has(li, family::v4) || v6_missing)) sockets_.open_missing(li);
    }
    out.paths_changed = true;
    handle_(out);
}

/// Strict reverse-path filtering on a LAN that appeared at run time: set
/// it loose if allowed, else warn (refusing is only possible at start).
void link_watch::check_rp_filter(const std::string& name) {
    if (platform::rp_filter_mode(name) != 1) return;
    std::string error;
    if (opts_.loose_rp_filter && platform::set_rp_filter(name, 2, error)) {
        emit_(event("lan", severity::info, "rp_filter_set").kv("lan", name).kv("value", 2));
        return;
    }
    emit_(event("lan", severity::warning, "rp_filter_strict")
              .kv("lan", name)
              .kv("hint", "recovery on this LAN will not be seen; start with --loose-rp-filter"));
}

}  // namespace faild
