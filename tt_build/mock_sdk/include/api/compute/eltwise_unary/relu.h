// tt-build mock SDK: ReLU variants on a DST tile (thresholds as float bits).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void relu_tile_init() { tt_mock_compute(tt_mock::kOpSfpuInit, tt_mock::kSfpuRelu); }
ALWI void relu_tile(std::uint32_t idst) { tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuRelu, idst); }
// max(x, param0)
ALWI void relu_min_tile(std::uint32_t idst, std::uint32_t param0) { tt_mock::sfpu(tt_mock::kSfpuReluMin, idst, param0); }
ALWI void relu_min_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuReluMin); }
// max(min(x, param0), 0)
ALWI void relu_max_tile(std::uint32_t idst, std::uint32_t param0) { tt_mock::sfpu(tt_mock::kSfpuReluMax, idst, param0); }
ALWI void relu_max_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuReluMax); }
// x < 0 ? slope * x : x
ALWI void leaky_relu_tile(std::uint32_t idst, std::uint32_t slope = 0) { tt_mock::sfpu(tt_mock::kSfpuLeakyRelu, idst, slope); }
ALWI void leaky_relu_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuLeakyRelu); }
ALWI void relu_max_tile_pack(std::uint32_t idst, std::uint32_t param0) { tt_mock::sfpu(tt_mock::kSfpuReluMax, idst, param0); }
ALWI void relu_max_tile_init_pack() { tt_mock::sfpu_init(tt_mock::kSfpuReluMax); }
}  // namespace ckernel
