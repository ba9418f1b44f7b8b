// tt-build mock SDK: remainder (sign of the divisor) of two DST tiles (float; the integer forms are not implemented in the mock).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void remainder_int32_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("remainder_int32_tile"); }
ALWI void remainder_int32_tile_init() {}
ALWI void remainder_uint32_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("remainder_uint32_tile"); }
ALWI void remainder_uint32_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void remainder_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinRemainder, idst0, idst1, odst); }
ALWI void remainder_binary_tile_init() {}
}  // namespace ckernel
