// tt-build mock SDK: SELU of a DST tile (scale, alpha as float bits).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void selu_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuSelu); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void selu_tile(uint32_t idst, uint32_t scale, uint32_t alpha) { tt_mock::sfpu(tt_mock::kSfpuSelu, idst, scale, alpha); }
ALWI void selu_tile_init_pack() { tt_mock::sfpu_init(tt_mock::kSfpuSelu); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void selu_tile_pack(uint32_t idst, uint32_t scale, uint32_t alpha) { tt_mock::sfpu(tt_mock::kSfpuSelu, idst, scale, alpha); }
}  // namespace ckernel
