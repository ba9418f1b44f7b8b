// tt-build mock SDK: the few ckernel helpers that kernel helper headers use outside compute kernels.
#pragma once

#include <cstdint>

#include "ckernel_defs.h"
#include "tt_mock/kernel_common.h"

namespace ckernel {
// A load that completes before the next instruction issues (drains earlier stores to the same
// address on the device). On the CPU an ordinary volatile load has that property.
template <typename T>
inline T load_blocking(volatile T* ptr) {
    static_assert(sizeof(T) == sizeof(std::uint16_t) || sizeof(T) == sizeof(std::uint32_t),
                  "load_blocking: operand must be 16-bit or 32-bit");
    return *ptr;
}

// The mailboxes between a core's processors are not modelled: a kernel that uses them fails there.
inline void mailbox_write(const std::uint8_t /*thread*/, const std::uint32_t /*data*/) {
    tt_mock::g_api->fail("not implemented in the mock: ckernel::mailbox_write");
}
[[nodiscard]] inline std::uint32_t mailbox_read(const std::uint8_t /*thread*/) {
    tt_mock::g_api->fail("not implemented in the mock: ckernel::mailbox_read");
    return 0;  // not reached: fail() does not return
}
}  // namespace ckernel
