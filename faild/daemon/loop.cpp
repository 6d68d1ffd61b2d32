// DOC: loop — see loop.hpp.
#include "faild/daemon/loop.hpp"

#include <boost/asio/error.hpp>

namespace faild {

void wait_failed(const emitter& emit, const char* input, boost::system::error_code ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    emit(event("daemon", severity::error, "wait_failed").kv("input", input).kv("error", ec.message()));
}

}  // namespace faild
