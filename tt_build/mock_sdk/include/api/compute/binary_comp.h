// tt-build mock SDK: integer SFPU ops on two DST tiles (the mock's DST holds fp32 values: these fail at the call with "not implemented in the mock")
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <DataFormat data_format>
ALWI void eq_int_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("eq_int_tile"); }
template <DataFormat data_format>
ALWI void ne_int_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("ne_int_tile"); }
template <DataFormat data_format>
ALWI void lt_int_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("lt_int_tile"); }
template <DataFormat data_format>
ALWI void gt_int_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("gt_int_tile"); }
template <DataFormat data_format>
ALWI void le_int_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("le_int_tile"); }
template <DataFormat data_format>
ALWI void ge_int_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("ge_int_tile"); }
template <DataFormat data_format>
ALWI void eq_int_tile_init() {}
template <DataFormat data_format>
ALWI void ne_int_tile_init() {}
template <DataFormat data_format>
ALWI void lt_int_tile_init() {}
template <DataFormat data_format>
ALWI void gt_int_tile_init() {}
template <DataFormat data_format>
ALWI void le_int_tile_init() {}
template <DataFormat data_format>
ALWI void ge_int_tile_init() {}
}  // namespace ckernel
