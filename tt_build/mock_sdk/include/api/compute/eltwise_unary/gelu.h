// tt-build mock SDK: GELU on a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <bool fast_and_approx = true, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void gelu_tile_init() {
    tt_mock_compute(tt_mock::kOpSfpuInit, tt_mock::kSfpuGelu);
}
template <bool fast_and_approx = true, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void gelu_tile(std::uint32_t idst) {
    tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuGelu, idst);
}
template <bool fast = false>
ALWI void gelu_tanh_tile_init() {
    tt_mock::sfpu_init(tt_mock::kSfpuGeluTanh);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE, bool fast = false>
ALWI void gelu_tanh_tile(std::uint32_t idst) {
    tt_mock::sfpu(tt_mock::kSfpuGeluTanh, idst);
}
template <bool fast_and_approx = true, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void gelu_tile_init_pack() {
    tt_mock::sfpu_init(tt_mock::kSfpuGelu);
}
template <bool fast_and_approx = true, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void gelu_tile_pack(std::uint32_t idst) {
    tt_mock::sfpu(tt_mock::kSfpuGelu, idst);
}
template <bool fast = false>
ALWI void gelu_tanh_tile_init_pack() {
    tt_mock::sfpu_init(tt_mock::kSfpuGeluTanh);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE, bool fast = false>
ALWI void gelu_tanh_tile_pack(std::uint32_t idst) {
    tt_mock::sfpu(tt_mock::kSfpuGeluTanh, idst);
}
}  // namespace ckernel
