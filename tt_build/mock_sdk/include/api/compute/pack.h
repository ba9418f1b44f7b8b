// tt-build mock SDK: packing DST tiles into circular buffers.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void pack_init(std::uint32_t ocb, std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpReconfig, ocb, 0xffffffffu, 0xffffffffu, 0xffffffffu);
}
template <bool out_of_order_output = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_tile(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t output_tile_index = 0) {
    tt_mock_compute(tt_mock::kOpPackTile, ifrom_dst, icb, output_tile_index, out_of_order_output ? 1u : 0u);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_block(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t ntiles) {
    for (std::uint32_t i = 0; i < ntiles; ++i) {
        tt_mock_compute(tt_mock::kOpPackTile, ifrom_dst + i, icb, 0, 0);
    }
}
}  // namespace ckernel
