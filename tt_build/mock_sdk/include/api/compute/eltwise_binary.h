// tt-build mock SDK: element-wise binary tile ops (CB x CB -> DST).
#pragma once

#include <cstdint>

#include "api/compute/common.h"
#include "llk_math_binary_api.h"
#include "llk_unpack_AB_api.h"

namespace ckernel {
template <bool full_init, EltwiseBinaryType eltwise_binary_type>
ALWI void binary_tiles_init(std::uint32_t icb0, std::uint32_t icb1, bool /*acc_to_dest*/ = false,
                            std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpBinaryInit, icb0, icb1, static_cast<std::uint32_t>(eltwise_binary_type));
}
ALWI void add_init(std::uint32_t icb0, std::uint32_t icb1, bool /*acc_to_dest*/ = false,
                   std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpBinaryInit, icb0, icb1, static_cast<std::uint32_t>(EltwiseBinaryType::ELWADD));
}
ALWI void sub_init(std::uint32_t icb0, std::uint32_t icb1, bool /*acc_to_dest*/ = false,
                   std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpBinaryInit, icb0, icb1, static_cast<std::uint32_t>(EltwiseBinaryType::ELWSUB));
}
ALWI void mul_init(std::uint32_t icb0, std::uint32_t icb1, bool /*acc_to_dest*/ = true,
                   std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpBinaryInit, icb0, icb1, static_cast<std::uint32_t>(EltwiseBinaryType::ELWMUL));
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

// DST op= CB tile: DEST_TO_SRCA makes DST operand A, DEST_TO_SRCB operand B (the generic forms are in
// ckernel::detail, as in 0.81).
namespace detail {
template <EltwiseBinaryType eltwise_binary_type, EltwiseBinaryReuseDestType reuse_dest>
ALWI void binary_reuse_dest_init(std::uint32_t icb0, std::uint32_t /*call_line*/) {
    tt_mock_compute(tt_mock::kOpCopyInit, icb0);
}
template <EltwiseBinaryType eltwise_binary_type, EltwiseBinaryReuseDestType reuse_dest,
          bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void binary_reuse_dest_tiles(std::uint32_t in_cb_id, std::uint32_t in_tile_index, std::uint32_t dst_tile_index) {
    tt_mock_compute(tt_mock::kOpReuseDestTiles, in_cb_id, in_tile_index, dst_tile_index,
                    static_cast<std::uint32_t>(eltwise_binary_type), static_cast<std::uint32_t>(reuse_dest));
}
}  // namespace detail
template <EltwiseBinaryReuseDestType reuse_dest>
ALWI void add_reuse_dest_init(std::uint32_t icb, std::uint32_t call_line = __builtin_LINE()) {
    detail::binary_reuse_dest_init<EltwiseBinaryType::ELWADD, reuse_dest>(icb, call_line);
}
template <EltwiseBinaryReuseDestType reuse_dest>
ALWI void sub_reuse_dest_init(std::uint32_t icb, std::uint32_t call_line = __builtin_LINE()) {
    detail::binary_reuse_dest_init<EltwiseBinaryType::ELWSUB, reuse_dest>(icb, call_line);
}
template <EltwiseBinaryReuseDestType reuse_dest>
ALWI void mul_reuse_dest_init(std::uint32_t icb, std::uint32_t call_line = __builtin_LINE()) {
    detail::binary_reuse_dest_init<EltwiseBinaryType::ELWMUL, reuse_dest>(icb, call_line);
}
template <EltwiseBinaryReuseDestType reuse_dest, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_reuse_dest_tiles(std::uint32_t in_cb_id, std::uint32_t in_tile_index, std::uint32_t dst_tile_index) {
    detail::binary_reuse_dest_tiles<EltwiseBinaryType::ELWADD, reuse_dest>(in_cb_id, in_tile_index, dst_tile_index);
}
template <EltwiseBinaryReuseDestType reuse_dest, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_reuse_dest_tiles(std::uint32_t in_cb_id, std::uint32_t in_tile_index, std::uint32_t dst_tile_index) {
    detail::binary_reuse_dest_tiles<EltwiseBinaryType::ELWSUB, reuse_dest>(in_cb_id, in_tile_index, dst_tile_index);
}
template <EltwiseBinaryReuseDestType reuse_dest, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_reuse_dest_tiles(std::uint32_t in_cb_id, std::uint32_t in_tile_index, std::uint32_t dst_tile_index) {
    detail::binary_reuse_dest_tiles<EltwiseBinaryType::ELWMUL, reuse_dest>(in_cb_id, in_tile_index, dst_tile_index);
}
}  // namespace ckernel
