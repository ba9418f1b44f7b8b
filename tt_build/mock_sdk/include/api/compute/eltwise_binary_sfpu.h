// tt-build mock SDK: element-wise SFPU ops on two DST tiles.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void div_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinDiv, idst0, idst1, odst); }
ALWI void div_binary_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinMul, idst0, idst1, odst); }
ALWI void mul_binary_tile_init() {}
template <ckernel::DstRoundingMode dst_rounding_mode = ckernel::DstRoundingMode::Default, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinAdd, idst0, idst1, odst); }
ALWI void add_binary_tile_init() {}
template <ckernel::DstRoundingMode dst_rounding_mode = ckernel::DstRoundingMode::Default, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinSub, idst0, idst1, odst); }
ALWI void sub_binary_tile_init() {}
template <ckernel::DstRoundingMode dst_rounding_mode = ckernel::DstRoundingMode::Default, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void rsub_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinRsub, idst0, idst1, odst); }
ALWI void rsub_binary_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void power_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinPow, idst0, idst1, odst); }
ALWI void power_binary_tile_init() {}
ALWI void eq_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinEq, idst0, idst1, odst); }
ALWI void eq_binary_tile_init() {}
ALWI void ne_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinNe, idst0, idst1, odst); }
ALWI void ne_binary_tile_init() {}
ALWI void lt_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinLt, idst0, idst1, odst); }
ALWI void lt_binary_tile_init() {}
ALWI void gt_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinGt, idst0, idst1, odst); }
ALWI void gt_binary_tile_init() {}
ALWI void le_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinLe, idst0, idst1, odst); }
ALWI void le_binary_tile_init() {}
ALWI void ge_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinGe, idst0, idst1, odst); }
ALWI void ge_binary_tile_init() {}
}  // namespace ckernel
