// tt-build mock SDK: tiles -> row-major CB pages (unpacker untilize).
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void untilize_init(uint32_t icb, uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpCopyInit, icb);
}
// full_ct_dim tiles of one tile row at icb's front -> 32 rows of full_ct_dim*32 elements at ocb's back.
template <uint32_t block_ct_dim = 1, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void untilize_block(uint32_t icb, uint32_t full_ct_dim, uint32_t ocb) {
    tt_mock_compute(tt_mock::kOpUntilizeBlock, icb, 1, ocb, full_ct_dim, full_ct_dim, 0.0f);
}
ALWI void untilize_uninit(uint32_t /*icb*/) {}
}  // namespace ckernel
