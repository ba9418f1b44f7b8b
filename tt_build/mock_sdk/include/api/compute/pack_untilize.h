// tt-build mock SDK: tiles -> row-major CB pages on the packer.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_init(uint32_t icb, uint32_t ocb, uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpHwStartup, icb, icb, ocb);
}
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_init_skip_remap(uint32_t icb, uint32_t ocb, uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpHwStartup, icb, icb, ocb);
}
// block_rt_dim x block_ct_dim tiles at icb's front -> rows of full_ct_dim*32 elements at ocb's back; the
// tiles land in columns [block_c_index * block_ct_dim * 32, ...).
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_block(uint32_t icb, uint32_t block_rt_dim, uint32_t ocb, uint32_t block_c_index = 0) {
    tt_mock_compute(tt_mock::kOpUntilizeBlock, icb, block_rt_dim, ocb, block_ct_dim, full_ct_dim,
                    static_cast<float>(block_c_index));
}
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool narrow_row = false,
          std::uint32_t row_num_datums = TILE_C_DIM, bool dense = false, bool configure_remap = true,
          bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_dest_init(uint32_t ocb, uint32_t /*call_line*/ = __builtin_LINE()) {
    static_assert(!narrow_row && row_num_datums == TILE_C_DIM && !dense, "the mock untilizes full 32x32 tiles only");
    tt_mock_compute(tt_mock::kOpReconfig, ocb, 0xffffffffu, 0xffffffffu, 0xffffffffu);
}
// DST tiles 0 .. block_rt_dim*block_ct_dim-1 -> rows of full_ct_dim*32 elements at ocb's back.
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool diagonal = false, bool narrow_row = false,
          std::uint32_t row_num_datums = TILE_C_DIM, uint32_t tile_dst_ct_offset = 0, bool dense = false>
ALWI void pack_untilize_dest(uint32_t ocb, uint32_t block_rt_dim = 1, uint32_t block_c_index = 0,
                             uint32_t tile_dst_rt_offset = 0) {
    static_assert(!diagonal && !narrow_row && row_num_datums == TILE_C_DIM && tile_dst_ct_offset == 0 && !dense,
                  "the mock untilizes full 32x32 tiles only");
    if (tile_dst_rt_offset != 0) tt_mock::not_implemented("pack_untilize_dest with tile_dst_rt_offset != 0");
    tt_mock_compute(tt_mock::kOpPackUntilizeDest, ocb, block_rt_dim, block_ct_dim, full_ct_dim, block_c_index);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_uninit(uint32_t /*ocb*/) {}
}  // namespace ckernel
