// DOC: system_files — the two readers of the core that touch the file
// system: config_fs::real() (configuration files: regular files only, read
// without blocking, at most 1 MiB) and keyring::load() (a key file, owner
// only). They are declared in the core (options.hpp, keyring.hpp), which
// parses what they read; their I/O lives here, in the daemon's layer.
#include "faild/core/keyring.hpp"
#include "faild/core/options.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace faild {

config_fs config_fs::real() {
    config_fs fs;
    fs.read = [](const std::string& path) -> config_text {
        // Non-blocking: opening a FIFO for reading would wait for a writer.
        int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            if (errno == ENOENT || errno == ENOTDIR) return config_text{};
            return config_text::refused(std::strerror(errno));
        }
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            int e = errno;
            ::close(fd);
            return config_text::refused(std::strerror(e));
        }
        if (!S_ISREG(st.st_mode)) {
            ::close(fd);
            const char* what = S_ISDIR(st.st_mode)    ? "a directory"
                               : S_ISFIFO(st.st_mode) ? "a FIFO"
                               : S_ISCHR(st.st_mode)  ? "a character device"
                               : S_ISBLK(st.st_mode)  ? "a block device"
                               : S_ISSOCK(st.st_mode) ? "a socket"
                                                      : "not a file";
            return config_text::refused(std::string(what) + ", not a regular file");
        }
        // At most one byte past the limit: enough to tell it is too long.
        std::string text;
        char buf[16384];
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                int e = errno;
                ::close(fd);
                return config_text::refused(std::strerror(e));
            }
            if (n == 0) break;
            text.append(buf, std::size_t(n));
            if (text.size() > max_config_size) {
                ::close(fd);
                return config_text::refused("larger than " + std::to_string(max_config_size >> 20) +
                                            " MiB: not a configuration file");
            }
        }
        ::close(fd);
        return config_text{std::move(text)};
    };
    fs.list_conf = [](const std::string& dir) {
        std::vector<std::string> out;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec))
            if (e.path().extension() == ".conf" && e.is_regular_file(ec)) out.push_back(e.path().string());
        std::sort(out.begin(), out.end());
        return out;
    };
    return fs;
}

bool keyring::load(const std::string& path, std::string& error) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (ec || !fs::is_regular_file(st)) {
        error = "cannot read key file '" + path + "'" + (ec ? ": " + ec.message() : "");
        return false;
    }
    auto perms = st.permissions();
    if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
        error = "key file '" + path + "' is accessible by group or others: chmod 600 '" + path + "'";
        return false;
    }
    std::ifstream in(path);
    std::ostringstream text;
    if (!(in && text << in.rdbuf())) {
        error = "cannot read key file '" + path + "'";
        return false;
    }
    return parse(text.str(), path, error);
}

}  // namespace faild
