// tt-build mock SDK: fill a DST tile with a scalar.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void fill_tile_init() { tt_mock_compute(tt_mock::kOpSfpuInit, tt_mock::kSfpuFill); }
ALWI void fill_tile(std::uint32_t idst, float param0) {
    tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuFill, idst, 0, 0, 0, param0);
}
ALWI void fill_tile_bitcast(std::uint32_t idst, std::uint32_t param0) {
    union {
        std::uint32_t u;
        float f;
    } v{param0};
    tt_mock_compute(tt_mock::kOpSfpu, tt_mock::kSfpuFill, idst, 0, 0, 0, v.f);
}
}  // namespace ckernel
