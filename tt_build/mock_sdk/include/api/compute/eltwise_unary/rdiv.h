// tt-build mock SDK: value / x on a DST tile (value as float bits).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void rdiv_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuRdiv); }
template <RoundingMode rounding_mode = RoundingMode::None, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void rdiv_tile(uint32_t dst_index, uint32_t value, VectorMode /*vector_mode*/ = VectorMode::RC) {
    static_assert(rounding_mode == RoundingMode::None, "the mock implements rdiv without rounding only");
    tt_mock::sfpu(tt_mock::kSfpuRdiv, dst_index, value);
}
}  // namespace ckernel
