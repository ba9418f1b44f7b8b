// tt-build mock SDK: the SFPU ops of the compute API's umbrella header (log, sigmoid, tanh, ...).
// Scalar arguments are IEEE-754 float bits, as on the device.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
template <bool fast_and_approx = false>
ALWI void sigmoid_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuSigmoid); }
template <VectorMode vec_mode = VectorMode::RC, bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sigmoid_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuSigmoid, idst); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void silu_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuSilu, idst); }
ALWI void silu_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuSilu); }
template <bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tanh_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuTanh); }
template <bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tanh_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuTanh, idst); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void square_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuSquare, idst); }
ALWI void square_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuSquare); }
template <bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void log_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuLog); }
template <bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void log_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuLog, idst); }
template <bool fast_and_approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void log_with_base_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuLogBase); }
// log(x) * base_scale (float bits of 1/ln(base))
template <bool fast_and_approx = false, bool base_is_two = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void log_with_base_tile(uint32_t idst, uint32_t base_scale) { tt_mock::sfpu(tt_mock::kSfpuLogBase, idst, base_scale); }
ALWI void abs_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuAbs, idst); }
ALWI void abs_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuAbs); }
ALWI void sign_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuSign, idst); }
ALWI void sign_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuSign); }
// x ** param0 (float bits)
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void power_tile(uint32_t idst, uint32_t param0) { tt_mock::sfpu(tt_mock::kSfpuPower, idst, param0); }
ALWI void power_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuPower); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void exp2_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuExp2, idst); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void exp2_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuExp2); }
ALWI void heaviside_tile(uint32_t idst, uint32_t param0) { tt_mock::sfpu(tt_mock::kSfpuHeaviside, idst, param0); }
ALWI void heaviside_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuHeaviside); }
template <bool approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void expm1_tile(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuExpm1, idst); }
template <bool approx = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void expm1_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuExpm1); }
ALWI void unary_max_tile(uint32_t idst, uint32_t param0) { tt_mock::sfpu(tt_mock::kSfpuUnaryMax, idst, param0); }
ALWI void unary_max_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuUnaryMax); }
ALWI void unary_min_tile(uint32_t idst, uint32_t param0) { tt_mock::sfpu(tt_mock::kSfpuUnaryMin, idst, param0); }
ALWI void unary_min_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuUnaryMin); }
// SFPU reduction across DST tiles (not implemented in the mock: use reduce_tile)
template <PoolType pool_type, DataFormat format, ReduceDim reduce_dim = ReduceDim::REDUCE_COL,
          bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sfpu_reduce(uint32_t /*idst*/, uint32_t /*ct_dim*/ = 1, uint32_t /*rt_dim*/ = 1) {
    tt_mock::not_implemented("sfpu_reduce");
}
template <PoolType pool_type, DataFormat format, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sfpu_reduce_init() {}
// the same ops run by the packer thread on the device
ALWI void sigmoid_tile_init_pack() { tt_mock::sfpu_init(tt_mock::kSfpuSigmoid); }
ALWI void sigmoid_tile_pack(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuSigmoid, idst); }
ALWI void tanh_tile_init_pack() { tt_mock::sfpu_init(tt_mock::kSfpuTanh); }
ALWI void tanh_tile_pack(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuTanh, idst); }
ALWI void silu_tile_pack(uint32_t idst) { tt_mock::sfpu(tt_mock::kSfpuSilu, idst); }
ALWI void silu_tile_init_pack() { tt_mock::sfpu_init(tt_mock::kSfpuSilu); }
// x ** param0 (an integer exponent)
ALWI void power_iterative_tile(uint32_t idst, uint32_t param0) {
    tt_mock::sfpu(tt_mock::kSfpuPower, idst, tt_mock::float_bits(static_cast<float>(param0)));
}
ALWI void power_iterative_tile_init() { tt_mock::sfpu_init(tt_mock::kSfpuPower); }
}  // namespace ckernel
