// tt-build mock SDK: the unpacker's data-format reconfiguration at the LLK level (ttnn's kernel_lib
// helpers call it directly). The mock converts every CB in its own format, so it only validates the CB ids.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
// Reconfig behaviour for dim and stride
enum class p_dim_stride_target { IGNORE, FACE_ROW_MAJOR };
}  // namespace ckernel

template <bool is_fp32_dest_acc_en, ckernel::p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srca(const std::uint32_t srca_new_operand) {
    ckernel::tt_mock_compute(tt_mock::kOpReconfig, srca_new_operand, 0xffffffffu, 0xffffffffu, 0xffffffffu);
}
template <bool is_fp32_dest_acc_en, ckernel::p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srca(const std::uint32_t srca_old_operand,
                                                 const std::uint32_t srca_new_operand) {
    ckernel::tt_mock_compute(tt_mock::kOpReconfig, srca_old_operand, srca_new_operand, 0xffffffffu, 0xffffffffu);
}
