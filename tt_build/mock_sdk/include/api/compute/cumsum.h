// tt-build mock SDK: cumulative sum of a DST tile (not implemented in the mock).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void cumsum_tile_init() {}
ALWI void cumsum_tile(uint32_t /*idst*/, bool /*first*/ = true) { tt_mock::not_implemented("cumsum_tile"); }
}  // namespace ckernel
