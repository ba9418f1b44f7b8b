// tt-build mock SDK: compile-time kernel arguments.
// The mock passes them like tt-metal's JIT: -DKERNEL_COMPILE_TIME_ARGS=a,b,c and
// -DKERNEL_COMPILE_TIME_ARG_MAP={"name",value},...
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#ifndef FORCE_INLINE
#define FORCE_INLINE inline __attribute__((always_inline))
#endif

namespace tt_mock {
template <class T, class... Vs>
constexpr std::array<T, sizeof...(Vs)> ct_array(Vs... vs) {
    return {static_cast<T>(vs)...};
}
}  // namespace tt_mock

#ifndef KERNEL_COMPILE_TIME_ARGS
#define KERNEL_COMPILE_TIME_ARGS
#endif

constexpr auto kernel_compile_time_args = tt_mock::ct_array<std::uint32_t>(KERNEL_COMPILE_TIME_ARGS);

template <std::uint32_t Idx>
constexpr std::uint32_t get_ct_arg() {
    static_assert(Idx < kernel_compile_time_args.size(), "compile-time argument index out of range");
    return kernel_compile_time_args[Idx];
}

#define get_compile_time_arg_val(arg_idx) get_ct_arg<arg_idx>()

namespace tt_mock {
#ifdef KERNEL_COMPILE_TIME_ARG_MAP
inline constexpr std::pair<std::string_view, std::uint32_t> named_ct_args[] = {KERNEL_COMPILE_TIME_ARG_MAP};
#else
inline constexpr std::array<std::pair<std::string_view, std::uint32_t>, 0> named_ct_args{};
#endif
}  // namespace tt_mock

// Like the device's, the named-argument lookups exist only when the host passed named arguments.
#ifdef KERNEL_COMPILE_TIME_ARG_MAP
constexpr std::uint32_t get_named_ct_arg(std::string_view name) {
    for (const auto& entry : tt_mock::named_ct_args) {
        if (entry.first == name) {
            return entry.second;
        }
    }
    // not a constant expression: a name the host did not pass fails compilation, showing this text
    throw "unknown named compile-time argument: pass it in named_compile_args of the kernel's config";
}
constexpr std::uint32_t get_named_compile_time_arg_val(std::string_view name) { return get_named_ct_arg(name); }
#endif
