// tt-build mock SDK: fmod of two DST tiles (float; the int32 form is not implemented in the mock).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void fmod_int32_tile(uint32_t /*idst0*/, uint32_t /*idst1*/, uint32_t /*odst*/) { tt_mock::not_implemented("fmod_int32_tile"); }
ALWI void fmod_int32_tile_init() {}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fmod_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) { tt_mock::sfpu_binary(tt_mock::kSfpuBinFmod, idst0, idst1, odst); }
ALWI void fmod_binary_tile_init() {}
}  // namespace ckernel
