// DOC: fuzz_config — libFuzzer target for the configuration file parser.
//
// The input is the text of /etc/faild/faild.conf in an in-memory file system
// (no conf.d), read by parse_options() with argv = {"faild"}. Besides the
// result contract of config_fuzz_fs.hpp: settings that parse are printed by
// describe(), which promises "a file faild would read back to the same
// settings" — so that text, read back as faild.conf, must parse, and
// describe() must print the same again.
#include "config_fuzz_fs.hpp"

#include <cstdint>
#include <string>

namespace {

constexpr const char* target = "fuzz_config";

faild::parse_result parse_file(const std::string& text) {
    faild::fuzz::memory_fs files;
    files.files[faild::default_config] = text;
    const char* argv[] = {"faild", nullptr};
    return faild::fuzz::parse_or_abort(target, 1, argv, files.fs());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto r = parse_file(text);
    faild::fuzz::check_result(target, r);
    if (!r.opts) return 0;

    std::string described = faild::describe(*r.opts);
    auto back = parse_file(described);
    faild::fuzz::check_result(target, back);
    if (!back.opts) faild::fuzz::broken(target, "describe() output does not parse back", back.err);
    if (faild::describe(*back.opts) != described)
        faild::fuzz::broken(target, "describe() output parses back to other settings", described);
    return 0;
}
