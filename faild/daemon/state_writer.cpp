// DOC: state_writer — see state_writer.hpp.
#include "faild/daemon/state_writer.hpp"

#include "faild/daemon/state_file.hpp"

namespace faild {

void state_writer::note_changed() {
    if (path_.empty() || stopping_) return;
    dirty_ = true;
    const timestamp due = written_ + ms(1000);
    if (now() >= due) return write();
    timer_.expires_after(due - now());
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !stopping_ && dirty_) write();
    });
}

void state_writer::flush() {
    timer_.cancel();
    write();
}

void state_writer::write() {
    if (path_.empty()) return;
    std::string error;
    written_ = now();
    dirty_ = false;
    if (!write_state_file(path_, engine_.proofs().to_text(), error) && !unwritable_logged_) {
        unwritable_logged_ = true;
        emit_(event("daemon", severity::warning, "state_unwritable")
                  .kv("file", path_)
                  .kv("error", error)
                  .kv("note", "proofs will not survive a restart"));
    }
}

}  // namespace faild
