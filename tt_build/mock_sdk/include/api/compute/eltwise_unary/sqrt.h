// tt-build mock SDK: sqrt on a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void sqrt_tile_init() { tt_mock_compute(tt_mock::kOpSfpuInit, tt_mock::kSfpuSqrt); }
template <bool FAST_APPROX = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sqrt_tile(std::uint32_t idst) {
    tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuSqrt, idst);
}
}  // namespace ckernel
