// tt-build mock SDK: typed kernel-argument handles (Metal 2.0). The bindings a kernel names
// (`args::...`, `dfb::...`) come from the host program's generated kernel_args_generated.h, which the mock
// does not generate: kernels written against the ProgramSpec host API do not run on the mock.
#pragma once

#include <cstdint>

#ifdef COMPILE_FOR_TRISC
#include "api/compute/common.h"
#else
#include "tt_mock/kernel_common.h"
#endif

#define TT_KERNEL static FORCE_INLINE

namespace experimental {

template <typename T>
struct RtaArg {
    std::uint32_t byte_offset;
};
template <typename T>
struct CrtaArg {
    std::uint32_t byte_offset;
};
template <typename T>
struct CtaVal {
    T value;
};

// a per-core runtime argument, a common runtime argument, a compile-time value
template <typename T>
FORCE_INLINE T get_arg(RtaArg<T> arg) {
    static_assert(sizeof(T) == 4, "Only uint32_t args are currently supported.");
    return *reinterpret_cast<volatile tt_l1_ptr T*>(
        static_cast<std::uintptr_t>(get_arg_addr(static_cast<int>(arg.byte_offset / sizeof(std::uint32_t)))));
}
template <typename T>
FORCE_INLINE T get_arg(CrtaArg<T> arg) {
    static_assert(sizeof(T) == 4, "Only uint32_t args are currently supported.");
    return *reinterpret_cast<volatile tt_l1_ptr T*>(
        static_cast<std::uintptr_t>(get_common_arg_addr(static_cast<int>(arg.byte_offset / sizeof(std::uint32_t)))));
}
template <typename T>
FORCE_INLINE constexpr T get_arg(CtaVal<T> arg) {
    return arg.value;
}

}  // namespace experimental
