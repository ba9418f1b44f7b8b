// tt-build mock SDK: identity on a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void identity_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuIdentity); }
ALWI void identity_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuIdentity, idst); }
}  // namespace ckernel
