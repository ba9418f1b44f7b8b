// tt-build mock SDK: the few ckernel helpers that kernel helper headers use outside compute kernels.
#pragma once

#include <cstdint>

namespace ckernel {
// A load that completes before the next instruction issues (drains earlier stores to the same
// address on the device). On the CPU an ordinary volatile load has that property.
template <typename T>
inline T load_blocking(volatile T* ptr) {
    static_assert(sizeof(T) == sizeof(std::uint16_t) || sizeof(T) == sizeof(std::uint32_t),
                  "load_blocking: operand must be 16-bit or 32-bit");
    return *ptr;
}
}  // namespace ckernel
