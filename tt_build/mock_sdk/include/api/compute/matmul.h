// tt-build mock SDK: tile matrix multiply into DST (fp32 accumulation).
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
ALWI void matmul_init(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, const std::uint32_t transpose = 0,
                      std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpMatmulInit, in0_cb_id, in1_cb_id, transpose);
}
ALWI void matmul_tiles(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, std::uint32_t in0_tile_index,
                       std::uint32_t in1_tile_index, std::uint32_t idst) {
    tt_mock_compute(tt_mock::kOpMatmulTiles, in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst);
}
ALWI void matmul_block_init(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, const std::uint32_t transpose = 0,
                            std::uint32_t /*ct_dim*/ = 1, std::uint32_t /*rt_dim*/ = 1, std::uint32_t /*kt_dim*/ = 1,
                            std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpMatmulInit, in0_cb_id, in1_cb_id, transpose);
}
// C[rt x ct] += A[rt x kt] * B[kt x ct] for one kt step: in0 tiles row-major with stride kt_dim,
// in1 tiles row-major with stride ct_dim, DST tiles row-major rt x ct.
ALWI void matmul_block(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, std::uint32_t in0_tile_index,
                       std::uint32_t in1_tile_index, std::uint32_t idst, const std::uint32_t transpose,
                       std::uint32_t ct_dim, std::uint32_t rt_dim, std::uint32_t kt_dim,
                       std::uint32_t /*call_line*/ = __builtin_LINE()) {
    for (std::uint32_t r = 0; r < rt_dim; ++r) {
        for (std::uint32_t c = 0; c < ct_dim; ++c) {
            tt_mock_compute(tt_mock::kOpMatmulTransposeTiles, in0_cb_id, in1_cb_id, in0_tile_index + r * kt_dim,
                            in1_tile_index + c, idst + r * ct_dim + c, static_cast<float>(transpose));
        }
    }
}
}  // namespace ckernel
