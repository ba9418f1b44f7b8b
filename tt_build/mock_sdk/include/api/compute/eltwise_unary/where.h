// tt-build mock SDK: element-wise where (select) on three DST tiles.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
// odst = idst0 != 0 ? idst1 : idst2, element by element (data_format: the format of the DST values; the mock's
// DST is float32 whatever it says).
template <DataFormat data_format>
ALWI void where_tile(std::uint32_t idst0, std::uint32_t idst1, std::uint32_t idst2, std::uint32_t odst) {
    tt_mock_compute(tt_mock::kOpSfpuTernary, tt_mock::kSfpuTernWhere, idst0, idst1, idst2, odst);
}
ALWI void where_tile_init() {}
}  // namespace ckernel
