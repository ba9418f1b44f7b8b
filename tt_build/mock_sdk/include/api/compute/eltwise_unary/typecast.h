// tt-build mock SDK: data-format conversion of a DST tile (between Float32, Float16_b and Float16; the integer formats are not implemented in the mock).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <uint32_t IN_DTYPE, uint32_t OUT_DTYPE>
ALWI void typecast_tile_init() {}
template <uint32_t IN_DTYPE, uint32_t OUT_DTYPE, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void typecast_tile(uint32_t idst) {
    constexpr bool floats = (IN_DTYPE == 0 || IN_DTYPE == 1 || IN_DTYPE == 5) && (OUT_DTYPE == 0 || OUT_DTYPE == 1 || OUT_DTYPE == 5);
    if (!floats) tt_mock::not_implemented("typecast_tile");
    tt_mock::sfpu(tt_mock::kSfpuTypecast, idst, IN_DTYPE, OUT_DTYPE);
}
}  // namespace ckernel
