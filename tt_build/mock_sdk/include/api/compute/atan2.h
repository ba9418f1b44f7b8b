// tt-build mock SDK: atan2(a, b) of two DST tiles.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void atan2_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinAtan2, idst0, idst1, odst); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void atan2_binary_tile_init() {}
}  // namespace ckernel
