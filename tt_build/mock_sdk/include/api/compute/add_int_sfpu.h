// tt-build mock SDK: integer SFPU ops on two DST tiles (the mock's DST holds fp32 values: these fail at the call with "not implemented in the mock")
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <DataFormat data_format>
ALWI void add_int_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("add_int_tile"); }
ALWI void add_int_tile_init() {}
}  // namespace ckernel
