// DOC: fuzz_cmdline — libFuzzer target for faild's command line.
//
// The input is split on NUL bytes into arguments (at most 64; the rest is
// ignored) after argv[0] = "faild", and parsed with an empty in-memory file
// system. The result contract is config_fuzz_fs.hpp's.
#include "config_fuzz_fs.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace {

constexpr const char* target = "fuzz_cmdline";
constexpr std::size_t max_args = 64;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> args;
    const char* p = reinterpret_cast<const char*>(data);
    const char* end = p + size;
    while (size > 0 && args.size() < max_args) {
        const char* nul = p;
        while (nul != end && *nul != '\0') ++nul;
        args.emplace_back(p, nul);
        if (nul == end) break;
        p = nul + 1;
    }
    std::vector<const char*> argv{"faild"};
    for (const auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);

    faild::fuzz::memory_fs files;  // empty: /etc/faild/faild.conf is missing
    auto r = faild::fuzz::parse_or_abort(target, int(argv.size() - 1), argv.data(), files.fs());
    faild::fuzz::check_result(target, r);
    return 0;
}
