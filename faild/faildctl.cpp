// faildctl: talks to a running faild. For now it only knows its version.
#include "faild/wire.hpp"

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
    if (argc == 2 && (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "-V") ||
                      !std::strcmp(argv[1], "version"))) {
        std::cout << "faildctl " << FAILD_VERSION << " (protocol " << int(faild::wire::version) << ")\n";
        return 0;
    }
    if (argc == 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
        std::cout << "Usage: faildctl --version\n";
        return 0;
    }
    std::cerr << "faildctl: only --version is available in this release (see faildctl --help)\n";
    return 2;
}
