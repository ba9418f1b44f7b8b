// tt-build mock SDK: circular-buffer calls of compute kernels (ckernel::cb_*).
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI std::uint32_t get_tile_address(std::uint32_t cb_id, std::uint32_t tile_index) {
    return tt_mock::g_api->get_read_ptr(cb_id) + tile_index * tt_mock::g_api->cb_page_size(cb_id);
}
}  // namespace ckernel
