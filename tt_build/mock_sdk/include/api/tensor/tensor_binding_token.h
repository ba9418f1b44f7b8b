// tt-build mock SDK: the Metal 2.0 tensor binding token. The kernel's `tensor::<name>` constants are
// tokens whose template arguments locate the binding: CTA_OFFSET, the first compile-time argument of
// the tensor's TensorAccessorArgs; ADDR_CRTA_OFFSET, the byte offset of its base-address word among the
// common runtime arguments. TensorAccessor(tensor::<name>) builds the accessor from them.
#pragma once

#include <cstdint>

namespace tensor_accessor {
template <std::uint32_t CTA_OFFSET, std::uint32_t ADDR_CRTA_OFFSET>
struct TensorBindingToken {
    static constexpr std::uint32_t addr_crta_offset = ADDR_CRTA_OFFSET;  // in bytes
};
}  // namespace tensor_accessor
