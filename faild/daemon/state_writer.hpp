// DOC: state_writer — when the address proofs go to the state file
// (state_file): at once when the address book changes, or, within a second
// of the last write, a second after it (a burst of proofs at start is one
// write, and the disk is never touched more than once a second); and at
// exit. A file that cannot be written is said once (state_unwritable).
#pragma once

#include "faild/core/engine.hpp"
#include "faild/daemon/loop.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <string>

namespace faild {

class state_writer {
public:
    /// Writes `eng`'s proofs to `path` (empty: nowhere); `stopping` is the
    /// daemon's flag: once set, only flush() writes.
    state_writer(boost::asio::io_context& io, const engine& eng, std::string path, emitter emit,
                 const bool& stopping)
        : engine_(eng), path_(std::move(path)), emit_(std::move(emit)), stopping_(stopping), timer_(io) {}

    /// The address book changed.
    void note_changed();
    /// At exit: written now, whatever is pending (what was proven counts
    /// again after a restart).
    void flush();

private:
    void write();

    const engine& engine_;
    std::string path_;
    emitter emit_;
    const bool& stopping_;
    boost::asio::steady_timer timer_;
    bool dirty_ = false;
    timestamp written_{0};
    bool unwritable_logged_ = false;
};

}  // namespace faild
