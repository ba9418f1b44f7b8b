// tt-build mock SDK: integer SFPU ops on two DST tiles (the mock's DST holds fp32 values: these fail at the call with "not implemented in the mock")
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void div_int32_floor_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("div_int32_floor_tile"); }
ALWI void div_int32_trunc_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("div_int32_trunc_tile"); }
ALWI void div_int32_floor_tile_init() {}
ALWI void div_int32_trunc_tile_init() {}
}  // namespace ckernel
