// tt-build mock SDK: ReLU on a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
ALWI void relu_tile_init() { tt_mock_compute(tt_mock::kOpSfpuInit, tt_mock::kSfpuRelu); }
ALWI void relu_tile(std::uint32_t idst) { tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuRelu, idst); }
}  // namespace ckernel
