// tt-build mock SDK: element-wise binary tile ops (CB x CB -> DST).
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
template <bool full_init, EltwiseBinaryType eltwise_binary_type>
ALWI void binary_tiles_init(std::uint32_t icb0, std::uint32_t icb1, bool /*acc_to_dest*/ = false,
                            std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpBinaryInit, icb0, icb1, static_cast<std::uint32_t>(eltwise_binary_type));
}
ALWI void add_init(std::uint32_t icb0, std::uint32_t icb1, bool /*acc_to_dest*/ = false,
                   std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpBinaryInit, icb0, icb1, ELWADD);
}
ALWI void sub_init(std::uint32_t icb0, std::uint32_t icb1, bool /*acc_to_dest*/ = false,
                   std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpBinaryInit, icb0, icb1, ELWSUB);
}
ALWI void mul_init(std::uint32_t icb0, std::uint32_t icb1, bool /*acc_to_dest*/ = true,
                   std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpBinaryInit, icb0, icb1, ELWMUL);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_tiles(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0, std::uint32_t itile1,
                    std::uint32_t idst) {
    tt_mock_compute(tt_mock::kOpAddTiles, icb0, icb1, itile0, itile1, idst);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_tiles(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0, std::uint32_t itile1,
                    std::uint32_t idst) {
    tt_mock_compute(tt_mock::kOpSubTiles, icb0, icb1, itile0, itile1, idst);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_tiles(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0, std::uint32_t itile1,
                    std::uint32_t idst) {
    tt_mock_compute(tt_mock::kOpMulTiles, icb0, icb1, itile0, itile1, idst);
}
#define TT_MOCK_BLOCK_OP(name, op)                                                                             \
    template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                                       \
    ALWI void name(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t start_itile0, std::uint32_t start_itile1, \
                   std::uint32_t start_idst, std::uint32_t ntiles) {                                           \
        for (std::uint32_t i = 0; i < ntiles; ++i) {                                                           \
            tt_mock_compute(op, icb0, icb1, start_itile0 + i, start_itile1 + i, start_idst + i);               \
        }                                                                                                      \
    }
TT_MOCK_BLOCK_OP(add_block, tt_mock::kOpAddTiles)
TT_MOCK_BLOCK_OP(sub_block, tt_mock::kOpSubTiles)
TT_MOCK_BLOCK_OP(mul_block, tt_mock::kOpMulTiles)
#undef TT_MOCK_BLOCK_OP
}  // namespace ckernel
