// tt-build mock SDK: reduce a CB tile into DST with a scaler tile (FPU reduce: SUM, AVG, MAX).
#pragma once

#include <cstdint>

#include "api/compute/common.h"
#include "llk_math_reduce_api.h"
#include "llk_pack_reduce_api.h"
#include "llk_unpack_AB_reduce_api.h"

namespace ckernel {
template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_init(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t ocb,
                      std::uint32_t /*call_line*/ = __builtin_LINE()) {
    static_assert(reduce_type != PoolType::MIN, "The FPU reduce has no MIN (GMPOOL is max, GAPOOL average)");
    tt_mock_compute(tt_mock::kOpHwStartup, icb, icb_scaler, ocb);
}
ALWI void reduce_uninit(std::uint32_t /*icb*/ = 0) {}
// DST[idst] op= reduce(tile * scaler): SUM/AVG add the scaled sums (fp32), MAX keeps the maximum.
template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_tile(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t itile, std::uint32_t itile_scaler,
                      std::uint32_t idst) {
    static_assert(reduce_type != PoolType::MIN, "The FPU reduce has no MIN (GMPOOL is max, GAPOOL average)");
    tt_mock_compute(tt_mock::kOpReduceTile, icb, icb_scaler, itile, itile_scaler, idst,
                    static_cast<float>(static_cast<std::uint32_t>(reduce_type) * 16 + static_cast<std::uint32_t>(reduce_dim)));
}
template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_block(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t start_itile,
                       std::uint32_t itile_scaler, std::uint32_t start_idst, std::uint32_t ntiles) {
    for (std::uint32_t i = 0; i < ntiles; ++i) {
        reduce_tile<reduce_type, reduce_dim, is_fp32_dest_acc_en>(icb, icb_scaler, start_itile + i, itile_scaler,
                                                                  start_idst + i);
    }
}
}  // namespace ckernel
