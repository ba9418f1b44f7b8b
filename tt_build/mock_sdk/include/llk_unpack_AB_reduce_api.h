// tt-build mock SDK: the unpacker side of reduce_init at the LLK level (ttnn's kernel_lib reduce helper
// re-initialises a reduce with it). Validates the CB ids; the mock's reduce_tile reads both operands itself.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

template <ckernel::PoolType pool_type, ckernel::ReduceDim reduce_dim>
inline void llk_unpack_AB_reduce_init(const std::uint32_t operandA, const std::uint32_t operandB) {
    ckernel::tt_mock_compute(tt_mock::kOpReconfig, operandA, operandB, 0xffffffffu, 0xffffffffu);
}
