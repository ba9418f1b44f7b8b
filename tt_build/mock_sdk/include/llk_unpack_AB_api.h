// tt-build mock SDK: the unpacker side of an element-wise binary init at the LLK level (ttnn's kernel_lib
// eltwise chains call it for broadcast inits). Validates the CB ids (the mock's tile calls unpack themselves).
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

template <ckernel::BroadcastType BType = ckernel::BroadcastType::NONE>
inline void llk_unpack_AB_init(const std::uint32_t operandA, const std::uint32_t operandB) {
    ckernel::tt_mock_compute(tt_mock::kOpReconfig, operandA, operandB, 0xffffffffu, 0xffffffffu);
}
