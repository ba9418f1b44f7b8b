// tt-build mock SDK: hardtanh: clamp a DST tile to [param0, param1] (float bits).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void hardtanh_tile(uint32_t idst, uint32_t param0, uint32_t param1) { tt_mock::sfpu(tt_mock::kSfpuClamp, idst, param0, param1); }
ALWI void hardtanh_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuClamp); }
ALWI void hardtanh_tile_pack(uint32_t idst, uint32_t param0, uint32_t param1) { tt_mock::sfpu(tt_mock::kSfpuClamp, idst, param0, param1); }
ALWI void hardtanh_tile_init_pack() { tt_mock::sfpu_init(tt_mock::kSfpuClamp); }
}  // namespace ckernel
