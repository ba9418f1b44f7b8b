// tt-build mock SDK: 1/x on a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
template <bool legacy_compat = true>
ALWI void recip_tile_init() {
    tt_mock_compute(tt_mock::kOpSfpuInit, tt_mock::kSfpuRecip);
}
template <bool legacy_compat = true>
ALWI void recip_tile(std::uint32_t idst, VectorMode /*vector_mode*/ = VectorMode::RC) {
    tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuRecip, idst);
}
}  // namespace ckernel
