// tt-build mock SDK: exp on a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
enum class InputClamping : std::uint8_t { ClampToNegative = 0, None = 1 };

template <bool approx = false, std::uint32_t scale = 0x3F800000,
          InputClamping input_clamping = InputClamping::ClampToNegative, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void exp_tile_init() {
    tt_mock_compute(tt_mock::kOpSfpuInit, tt_mock::kSfpuExp);
}
template <bool approx = false, bool scale_en = false, InputClamping input_clamping = InputClamping::ClampToNegative,
          int iterations = 8, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void exp_tile(std::uint32_t idst, VectorMode /*vector_mode*/ = VectorMode::RC,
                   std::uint16_t scale = p_sfpu::kCONST_1_FP16B) {
    // scale is a bf16 bit pattern; only applied when scale_en is set
    union {
        std::uint32_t u;
        float f;
    } s{static_cast<std::uint32_t>(scale) << 16};
    tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuExp, idst, 0, 0, 0, scale_en ? s.f : 1.0f);
}
}  // namespace ckernel
