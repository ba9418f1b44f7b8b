// tt-build mock SDK: x * log(y) of two DST tiles (0 where x == 0).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void xlogy_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinXlogy, idst0, idst1, odst); }
ALWI void xlogy_binary_tile_init() {}
}  // namespace ckernel
