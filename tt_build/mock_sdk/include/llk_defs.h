// tt-build mock SDK: the LLK enums (namespace ckernel) that ttnn's kernel_lib helpers include through
// "llk_defs.h". Compute kernels get them from api/compute/common_globals.h; data-movement kernels (the
// reduce scaler helpers name PoolType / ReduceDim) get the two they use here.
#pragma once

#include <cstdint>

#ifdef COMPILE_FOR_TRISC
#include "api/compute/common_globals.h"
#else
namespace ckernel {
enum class ReduceDim : std::uint8_t { REDUCE_ROW, REDUCE_COL, REDUCE_SCALAR };
enum class PoolType : std::uint8_t { SUM, AVG, MAX, MIN };
}  // namespace ckernel
#endif
