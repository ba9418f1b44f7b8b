// tt-build mock SDK: DST register ownership (acquire/commit by math, wait/release by pack).
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void tile_regs_acquire() { tt_mock_compute(tt_mock::kOpRegsAcquire); }
ALWI void tile_regs_wait() { tt_mock_compute(tt_mock::kOpRegsWait); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tile_regs_commit() {
    tt_mock_compute(tt_mock::kOpRegsCommit);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tile_regs_release() {
    tt_mock_compute(tt_mock::kOpRegsRelease);
}
[[deprecated("Use tile_regs_acquire() and tile_regs_wait() instead.")]] ALWI void acquire_dst() {
    tt_mock_compute(tt_mock::kOpRegsAcquire, 1);  // legacy mode: math and pack both own DST
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
[[deprecated("Use tile_regs_commit() and tile_regs_release() instead.")]] ALWI void release_dst() {
    tt_mock_compute(tt_mock::kOpRegsRelease);
}
}  // namespace ckernel
