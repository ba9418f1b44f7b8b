// tt-build mock SDK: copy one DST tile to another.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <DataFormat DATA_FORMAT>
ALWI void copy_dest_values(uint32_t idst_in, uint32_t idst_out) { tt_mock_compute(tt_mock::kOpCopyDest, idst_in, idst_out); }
[[deprecated("Use copy_dest_values<DataFormat> instead")]] ALWI void copy_dest_values(uint32_t idst_in, uint32_t idst_out) {
    tt_mock_compute(tt_mock::kOpCopyDest, idst_in, idst_out);
}
ALWI void copy_dest_values_init() {}
}  // namespace ckernel
