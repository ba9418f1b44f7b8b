// tt-build mock SDK: row-major CB pages -> tiles.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tilize_init(uint32_t icb, uint32_t /*block*/, uint32_t ocb, uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpHwStartup, icb, icb, ocb);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tilize_init_short_with_dt(uint32_t /*old_icb*/, uint32_t new_icb, uint32_t /*block*/, uint32_t ocb) {
    tt_mock_compute(tt_mock::kOpHwStartup, new_icb, new_icb, ocb);
}
// The `block` pages at icb's front hold 32 rows of block*32 elements (row-major); they become `block`
// tiles at ocb's reserved slots output_tile_index.. (input_tile_index skips that many input pages).
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tilize_block(uint32_t icb, uint32_t block, uint32_t ocb, uint32_t input_tile_index = 0,
                       uint32_t output_tile_index = 0) {
    tt_mock_compute(tt_mock::kOpTilizeBlock, icb, block, ocb, input_tile_index, output_tile_index);
}
ALWI void tilize_uninit(uint32_t /*icb*/, uint32_t /*ocb*/) {}
// the fast tilizer's results equal tilize_block's
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_init(uint32_t icb, uint32_t full_dim, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
    tilize_init<is_fp32_dest_acc_en>(icb, full_dim, ocb, call_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_init_skip_remap(uint32_t icb, uint32_t full_dim, uint32_t ocb, uint32_t call_line = __builtin_LINE()) {
    tilize_init<is_fp32_dest_acc_en>(icb, full_dim, ocb, call_line);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_init_with_dt(uint32_t icb, uint32_t full_dim, uint32_t ocb) {
    tilize_init<is_fp32_dest_acc_en>(icb, full_dim, ocb);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_uninit(uint32_t /*icb*/, uint32_t /*ocb*/, uint32_t /*full_dim*/) {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_block(uint32_t icb, uint32_t block, uint32_t ocb, uint32_t input_tile_index = 0,
                            uint32_t output_tile_index = 0) {
    tilize_block<is_fp32_dest_acc_en>(icb, block, ocb, input_tile_index, output_tile_index);
}
}  // namespace ckernel
