// tt-build mock SDK: softplus of a DST tile (beta, 1/beta, threshold as float bits).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void softplus_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuSoftplus); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void softplus_tile(uint32_t idst, uint32_t beta, uint32_t beta_reciprocal, uint32_t threshold) {
    tt_mock::g_api->compute(tt_mock::kOpSfpu, tt_mock::kSfpuSoftplus, idst, beta, beta_reciprocal, threshold, 1.0f);
}
ALWI void softplus_tile_init_pack() { tt_mock::sfpu_init(tt_mock::kSfpuSoftplus); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void softplus_tile_pack(uint32_t idst, uint32_t beta, uint32_t beta_reciprocal, uint32_t threshold) {
    softplus_tile<is_fp32_dest_acc_en>(idst, beta, beta_reciprocal, threshold);
}
}  // namespace ckernel
