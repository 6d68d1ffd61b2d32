// DOC: state_file — the address proofs kept across a restart of faild.
//
// The engine's address book (which node proved which address) is written to
// a small file in faild's runtime directory whenever it changes (at most
// once a second) and at exit, and read back at start: an outage that
// outlives a restart of faild keeps its routes. The runtime directory is
// emptied at boot, so proofs do not survive a reboot (see PROTOCOL.md,
// "Trust"). Written whole to a temporary file and renamed over the old one:
// a crash leaves the old file or the new one, never half of one.
#pragma once

#include <optional>
#include <string>

namespace faild {

/// The file's text, nullopt when it does not exist; `error` set when it
/// exists but cannot be read (or is not a regular file, or too large).
std::optional<std::string> read_state_file(const std::string& path, std::string& error);
/// Writes `text` to `path` (mode 0600) atomically; false and `error` when it
/// cannot.
bool write_state_file(const std::string& path, const std::string& text, std::string& error);

}  // namespace faild
