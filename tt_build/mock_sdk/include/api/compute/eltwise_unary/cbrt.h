// tt-build mock SDK: cube root of a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void cbrt_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuCbrt); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void cbrt_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuCbrt, idst); }
}  // namespace ckernel
