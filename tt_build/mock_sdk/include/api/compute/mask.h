// tt-build mock SDK: zero a DST tile where a mask tile is zero.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void mask_tile_init() {}
ALWI void mask_tile(uint32_t idst_data, uint32_t idst2_mask, DataFormat data_format = DataFormat::Float16_b) {
    if (data_format != DataFormat::Float16_b && data_format != DataFormat::Float32) tt_mock::not_implemented("mask_tile");
    tt_mock::sfpu_binary(tt_mock::kSfpuBinMask, idst_data, idst2_mask, idst_data);
}
ALWI void mask_posinf_tile(uint32_t /*idst_data*/, uint32_t /*idst2_mask*/) { tt_mock::not_implemented("mask_posinf_tile"); }
}  // namespace ckernel
