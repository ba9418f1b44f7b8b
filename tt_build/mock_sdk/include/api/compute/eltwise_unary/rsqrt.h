// tt-build mock SDK: 1/sqrt(x) of a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
enum class RsqrtMode { Default, Fast };
ALWI void rsqrt_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuRsqrt); }
template <RsqrtMode mode = RsqrtMode::Default, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void rsqrt_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuRsqrt, idst); }
}  // namespace ckernel
