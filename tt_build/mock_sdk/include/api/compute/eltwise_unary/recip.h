// tt-build mock SDK: 1/x on a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
enum class ReciprocalDestAcc { BF16, FP32 };
enum class ReciprocalApproxMode { Default, Precise, Approximate };

template <ReciprocalDestAcc dest_acc = DST_ACCUM_MODE ? ReciprocalDestAcc::FP32 : ReciprocalDestAcc::BF16,
          ReciprocalApproxMode approximation = ReciprocalApproxMode::Default>
ALWI void recip_tile_init() {
    tt_mock_compute(tt_mock::kOpSfpuInit, tt_mock::kSfpuRecip);
}
template <ReciprocalDestAcc dest_acc = DST_ACCUM_MODE ? ReciprocalDestAcc::FP32 : ReciprocalDestAcc::BF16,
          ReciprocalApproxMode approximation = ReciprocalApproxMode::Default>
ALWI void recip_tile(std::uint32_t idst, VectorMode /*vector_mode*/ = VectorMode::RC) {
    tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuRecip, idst);
}
}  // namespace ckernel
