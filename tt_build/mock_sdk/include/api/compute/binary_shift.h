// tt-build mock SDK: integer SFPU ops on two DST tiles (the mock's DST holds fp32 values: these fail at the call with "not implemented in the mock")
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <DataFormat data_format>
ALWI void binary_left_shift_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("binary_left_shift_tile"); }
template <DataFormat data_format>
ALWI void binary_right_shift_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("binary_right_shift_tile"); }
template <DataFormat data_format>
ALWI void binary_logical_right_shift_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("binary_logical_right_shift_tile"); }
ALWI void binary_shift_tile_init() {}
}  // namespace ckernel
