// tt-build mock SDK: DST tile op scalar (scalar as float bits).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
enum { ADD_UNARY = 0, SUB_UNARY = 1, MUL_UNARY = 2, DIV_UNARY = 3, RSUB_UNARY = 4 };
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_unary_tile(uint32_t idst, uint32_t param1) { tt_mock::sfpu(tt_mock::kSfpuAddScalar, idst, param1); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_unary_tile(uint32_t idst, uint32_t param1) { tt_mock::sfpu(tt_mock::kSfpuSubScalar, idst, param1); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_unary_tile(uint32_t idst, uint32_t param1) { tt_mock::sfpu(tt_mock::kSfpuMulScalar, idst, param1); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void div_unary_tile(uint32_t idst, uint32_t param1) { tt_mock::sfpu(tt_mock::kSfpuDivScalar, idst, param1); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void rsub_unary_tile(uint32_t idst, uint32_t param1) { tt_mock::sfpu(tt_mock::kSfpuRsubScalar, idst, param1); }
ALWI void binop_with_scalar_tile_init() {}
}  // namespace ckernel
