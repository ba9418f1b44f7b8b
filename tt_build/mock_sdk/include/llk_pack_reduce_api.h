// tt-build mock SDK: the packer's reduce mask at the LLK level (ttnn's kernel_lib reduce helper sets it
// around its SFPU reduce path). The mock does not model the packer mask: a call fails with
// "not implemented in the mock: <name>".
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
enum class PackMode : std::uint8_t { Default = 0, Untilize = 1, Tilize = 2 };
}  // namespace ckernel

template <ckernel::ReduceDim dim, ckernel::PackMode pack_mode = ckernel::PackMode::Default>
inline void llk_pack_reduce_mask_config(std::uint32_t /*ocb*/) {
    tt_mock::not_implemented("llk_pack_reduce_mask_config");
}
inline void llk_pack_reduce_mask_clear() { tt_mock::not_implemented("llk_pack_reduce_mask_clear"); }
