// tt-build mock SDK: -x on a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void negative_tile_init() { tt_mock_compute(tt_mock::kOpSfpuInit, tt_mock::kSfpuNeg); }
ALWI void negative_tile(std::uint32_t idst) { tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuNeg, idst); }
}  // namespace ckernel
