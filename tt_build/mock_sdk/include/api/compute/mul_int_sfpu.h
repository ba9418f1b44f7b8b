// tt-build mock SDK: integer product of two DST tiles (the mock's DST holds the values as fp32).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <DataFormat data_format>
ALWI void mul_int_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {
    tt_mock::sfpu_binary(tt_mock::kSfpuBinMul, idst0, idst1, odst);
}
template <DataFormat data_format>
ALWI void mul_int_tile_init() {}
}  // namespace ckernel
