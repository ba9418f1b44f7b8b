// tt-build mock SDK: the math side of reduce_init at the LLK level (ttnn's kernel_lib reduce helper
// re-initialises a reduce with it). The mock's JIT defines MATH_FIDELITY as an integer, so the fidelity
// parameter accepts it as well as a ckernel MathFidelity value.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

template <ckernel::PoolType type, ckernel::ReduceDim dim, bool is_fp32_dest_acc_en, auto math_fidelity>
inline void llk_math_reduce_init(const std::uint32_t operandA, const std::uint32_t operandB) {
    static_assert(type != ckernel::PoolType::MIN, "The FPU reduce has no MIN (GMPOOL is max, GAPOOL average)");
    ckernel::tt_mock_compute(tt_mock::kOpReconfig, operandA, operandB, 0xffffffffu, 0xffffffffu);
}
