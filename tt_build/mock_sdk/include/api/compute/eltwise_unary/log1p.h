// tt-build mock SDK: log(1 + x) of a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void log1p_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuLog1p); }
template <bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void log1p_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuLog1p, idst); }
}  // namespace ckernel
