// tt-build mock SDK: transpose a CB tile (32x32) into DST.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void transpose_init(uint32_t icb, uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpCopyInit, icb);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void transpose_tile(uint32_t icb, uint32_t itile, uint32_t idst) {
    tt_mock_compute(tt_mock::kOpTransposeTile, icb, itile, idst);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void transpose_block(uint32_t icb, uint32_t start_itile, uint32_t start_idst, uint32_t ntiles) {
    for (uint32_t i = 0; i < ntiles; ++i) transpose_tile<is_fp32_dest_acc_en>(icb, start_itile + i, start_idst + i);
}
}  // namespace ckernel
