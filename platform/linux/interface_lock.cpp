// DOC: interface_lock — one faild instance's claim on (table, interface).
//
// A file per claim, DIR/table<N>-<ifname><netns suffix>, held with flock():
// the kernel releases it when the holder's descriptor closes, also when the
// holder crashes or is killed, so a claim is never stale. The file is never
// removed (removing a file someone may be locking races with the next
// claimant); its content is the holder's own words (pid, control socket),
// rewritten by every new holder, read by a refused one for its message.
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
    explicit flock_claim(int fd) : fd_(fd) {}
    ~flock_claim() override { ::close(fd_); }
    flock_claim(const flock_claim&) = delete;
    flock_claim& operator=(const flock_claim&) = delete;

private:
    int fd_;
};

}  // namespace

std::unique_ptr<interface_lock> lock_interface(const std::string& dir, std::uint32_t table, const std::string& ifname,
                                               const std::string& holder, std::string& error) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const std::string path = dir + "/table" + std::to_string(table) + "-" + ifname + netns_suffix();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
    if (fd < 0) {
        error = "cannot claim " + ifname + " in table " + std::to_string(table) + ": " + path + ": " +
                std::strerror(errno);
        return nullptr;
    }
    int rc;
    do rc = ::flock(fd, LOCK_EX | LOCK_NB);
    while (rc != 0 && errno == EINTR);
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
    return std::make_unique<flock_claim>(fd);
}

}  // namespace faild::platform
