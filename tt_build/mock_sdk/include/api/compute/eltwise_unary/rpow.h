// tt-build mock SDK: base ** x on a DST tile (base as float bits).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void rpow_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuRpow); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void rpow_tile(uint32_t idst, uint32_t base_val, VectorMode /*vector_mode*/ = VectorMode::RC) {
    tt_mock::sfpu(tt_mock::kSfpuRpow, idst, base_val);
}
}  // namespace ckernel
