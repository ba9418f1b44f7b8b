// tt-build mock SDK: the math side of an element-wise binary init at the LLK level (ttnn's kernel_lib
// eltwise chains call it for broadcast inits). The mock's binary and broadcast tile calls carry their
// own operation, so the init only validates the CB ids. The fidelity parameter accepts the mock JIT's
// integer MATH_FIDELITY as well as a ckernel MathFidelity value.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

template <ckernel::EltwiseBinaryType eltwise_binary_type, ckernel::BroadcastType src_b_bcast_type, auto math_fidelity,
          ckernel::EltwiseBinaryReuseDestType binary_reuse_dest = ckernel::EltwiseBinaryReuseDestType::NONE>
inline void llk_math_eltwise_binary_init(const std::uint32_t operand_A, const std::uint32_t operand_B,
                                         const std::uint32_t /*acc_to_dest*/ = 0) {
    ckernel::tt_mock_compute(tt_mock::kOpReconfig, operand_A, operand_B, 0xffffffffu, 0xffffffffu);
}
