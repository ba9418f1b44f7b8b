// tt-build mock SDK: element-wise max / min of two DST tiles.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void binary_max_tile(uint32_t idst0, uint32_t idst1, uint32_t odst, VectorMode /*vector_mode*/ = VectorMode::RC) {
    tt_mock::sfpu_binary(tt_mock::kSfpuBinMax, idst0, idst1, odst);
}
ALWI void binary_max_tile_init() {}
ALWI void binary_min_tile(uint32_t idst0, uint32_t idst1, uint32_t odst, VectorMode /*vector_mode*/ = VectorMode::RC) {
    tt_mock::sfpu_binary(tt_mock::kSfpuBinMin, idst0, idst1, odst);
}
ALWI void binary_min_tile_init() {}
ALWI void binary_max_int32_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) {
    tt_mock::not_implemented("binary_max_int32_tile");
}
ALWI void binary_max_int32_tile_init() {}
ALWI void binary_min_int32_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) {
    tt_mock::not_implemented("binary_min_int32_tile");
}
ALWI void binary_min_int32_tile_init() {}
}  // namespace ckernel
