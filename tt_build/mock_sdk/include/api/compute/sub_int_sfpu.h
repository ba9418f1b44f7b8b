// tt-build mock SDK: integer SFPU ops on two DST tiles (the mock's DST holds fp32 values: these fail at the call with "not implemented in the mock")
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <DataFormat data_format>
ALWI void sub_int_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("sub_int_tile"); }
template <DataFormat data_format>
ALWI void rsub_int_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("rsub_int_tile"); }
ALWI void sub_int_tile_init() {}
ALWI void rsub_int_tile_init() {}
}  // namespace ckernel
