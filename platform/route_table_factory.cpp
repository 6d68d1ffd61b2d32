// DOC: route_table_factory — which route table faild writes to: the OS
// backend's (the kernel's table), or for a dry run the null backend.
#include "platform/null/null_route_table.hpp"
#include "platform/platform.hpp"

namespace faild::platform {

std::unique_ptr<route_table> make_route_table(std::string& error, const route_table_config& config) {
    if (config.dry_run) return std::make_unique<null_route_table>(config.report);
    return make_kernel_route_table(error, config.owner);
}

}  // namespace faild::platform
