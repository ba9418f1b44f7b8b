// tt-build mock SDK: erf and erfc of a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <bool fast_and_approx = true>
ALWI void erf_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuErf); }
template <bool fast_and_approx = true>
ALWI void erf_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuErf, idst); }
ALWI void erfc_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuErfc); }
ALWI void erfc_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuErfc, idst); }
}  // namespace ckernel
