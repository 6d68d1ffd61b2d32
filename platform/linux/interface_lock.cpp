// DOC: interface_lock — one faild instance's claim on (table, interface).
//
// A file per claim, DIR/table<N>-<ifname><netns suffix>, held with flock():
// the kernel releases it when the holder's descriptor closes, also when the
// holder crashes or is killed, so a claim is never stale. Its content is the
// holder's own words (pid, control socket), rewritten by every new holder,
// read by a refused one for its message. A holder that lets go removes the
// file while it still holds the lock; so a claimant that got the lock
// checks that the file it locked is still the one at the path, and starts
// again if not (the usual lock-file dance: no claim on a removed file).
#include "platform/platform.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace faild::platform {

std::string netns_suffix();  // netns.cpp

namespace {

class flock_claim final : public interface_lock {
public:
    flock_claim(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~flock_claim() override {
        ::unlink(path_.c_str());  // still ours: nobody else holds it now
        ::close(fd_);
    }
    flock_claim(const flock_claim&) = delete;
    flock_claim& operator=(const flock_claim&) = delete;

private:
    int fd_;
    std::string path_;
};

/// The descriptor is (still) the file at `path`.
bool same_file(int fd, const std::string& path) {
    struct stat by_fd {}, by_path {};
    return ::fstat(fd, &by_fd) == 0 && ::stat(path.c_str(), &by_path) == 0 && by_fd.st_dev == by_path.st_dev &&
           by_fd.st_ino == by_path.st_ino;
}

}  // namespace

std::unique_ptr<interface_lock> lock_interface(const std::string& dir, std::uint32_t table, const std::string& ifname,
                                               const std::string& holder, std::string& error) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const std::string path = dir + "/table" + std::to_string(table) + "-" + ifname + netns_suffix();
    int fd = -1, rc = -1;
    for (int attempt = 0; attempt < 8; ++attempt) {
        fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
        if (fd < 0) {
            error = "cannot claim " + ifname + " in table " + std::to_string(table) + ": " + path + ": " +
                    std::strerror(errno);
            return nullptr;
        }
        do rc = ::flock(fd, LOCK_EX | LOCK_NB);
        while (rc != 0 && errno == EINTR);
        if (rc != 0 || same_file(fd, path)) break;
        ::close(fd);  // its holder let go and removed it meanwhile: again, on the new one
        fd = -1;
    }
    if (fd < 0) {
        error = "cannot claim " + ifname + " in table " + std::to_string(table) + ": " + path + " keeps changing";
        return nullptr;
    }
    if (rc != 0) {
        const int e = errno;
        std::string other;
        if (e == EWOULDBLOCK) {
            char buf[512];
            ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
            if (n > 0) other.assign(buf, std::size_t(n));
            while (!other.empty() && (other.back() == '\n' || other.back() == ' ')) other.pop_back();
            for (char& c : other)
                if (static_cast<unsigned char>(c) < 0x20) c = ' ';
        }
        ::close(fd);
        error = e == EWOULDBLOCK
                    ? "another faild (" + (other.empty() ? std::string("it left no name") : other) + ") monitors " +
                          ifname + " with routes in table " + std::to_string(table) +
                          ": two instances in one table must not share an interface (" + path + ")"
                    : "cannot claim " + ifname + " in table " + std::to_string(table) + ": " + path + ": " +
                          std::strerror(e);
        return nullptr;
    }
    // Ours: our words replace the last holder's.
    const std::string text = holder + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != ssize_t(text.size())) {
        // The claim holds all the same; only the next one's message suffers.
    }
    return std::make_unique<flock_claim>(fd, path);
}

}  // namespace faild::platform
