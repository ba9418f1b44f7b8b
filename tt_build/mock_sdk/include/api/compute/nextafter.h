// tt-build mock SDK: the next float after a towards b, of two DST tiles.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void nextafter_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinNextafter, idst0, idst1, odst); }
ALWI void nextafter_binary_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void nextafter_bf16_binary_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("nextafter_bf16_binary_tile"); }
ALWI void nextafter_bf16_binary_tile_init() {}
}  // namespace ckernel
