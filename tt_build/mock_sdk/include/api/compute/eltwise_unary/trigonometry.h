// tt-build mock SDK: trigonometric functions of a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void sin_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuSin); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sin_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuSin, idst); }
ALWI void cos_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuCos); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void cos_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuCos, idst); }
ALWI void tan_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuTan); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tan_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuTan, idst); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void acosh_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void acosh_tile(uint32_t /*idst*/) { tt_mock::not_implemented("acosh_tile"); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void asinh_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void asinh_tile(uint32_t /*idst*/) { tt_mock::not_implemented("asinh_tile"); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void atanh_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void atanh_tile(uint32_t /*idst*/) { tt_mock::not_implemented("atanh_tile"); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void asin_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void asin_tile(uint32_t /*idst*/) { tt_mock::not_implemented("asin_tile"); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void atan_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void atan_tile(uint32_t /*idst*/) { tt_mock::not_implemented("atan_tile"); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void acos_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void acos_tile(uint32_t /*idst*/) { tt_mock::not_implemented("acos_tile"); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void cosh_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void cosh_tile(uint32_t /*idst*/) { tt_mock::not_implemented("cosh_tile"); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sinh_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sinh_tile(uint32_t /*idst*/) { tt_mock::not_implemented("sinh_tile"); }
}  // namespace ckernel
