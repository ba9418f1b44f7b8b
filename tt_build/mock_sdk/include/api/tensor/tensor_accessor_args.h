// tt-build mock SDK: compile-time description of a tensor for TensorAccessor (interleaved layouts).
#pragma once

#include <cstddef>
#include <cstdint>

#include "tt_mock/kernel_common.h"

namespace tensor_accessor {
inline constexpr std::size_t UNKNOWN = static_cast<std::size_t>(-1);
// Bits of the configuration word (same numbering as the host side).
enum class ArgConfig : std::uint8_t {
    None = 0,
    Sharded = 1 << 0,
    IsDram = 1 << 1,
    RuntimeRank = 1 << 2,
    RuntimeNumBanks = 1 << 3,
    RuntimeTensorShape = 1 << 4,
    RuntimeShardShape = 1 << 5,
    RuntimeBankCoords = 1 << 6,
    RuntimePageSize = 1 << 7,
};
}  // namespace tensor_accessor

template <std::size_t CTA_OFFSET, std::size_t CRTA_OFFSET = tensor_accessor::UNKNOWN>
struct TensorAccessorArgs {
    static constexpr std::uint32_t config = get_compile_time_arg_val(CTA_OFFSET);
    static constexpr bool is_sharded = (config & static_cast<std::uint32_t>(tensor_accessor::ArgConfig::Sharded)) != 0;
    static constexpr bool is_dram = (config & static_cast<std::uint32_t>(tensor_accessor::ArgConfig::IsDram)) != 0;
    static constexpr bool page_size_is_crta =
        (config & static_cast<std::uint32_t>(tensor_accessor::ArgConfig::RuntimePageSize)) != 0;
    static_assert(!is_sharded, "tt-build mock SDK: sharded TensorAccessorArgs are not supported");
    static constexpr std::uint32_t AlignedPageSize = [] {
        if constexpr (page_size_is_crta) {
            return std::uint32_t{0};
        } else {
            return get_compile_time_arg_val(CTA_OFFSET + 1);
        }
    }();

    std::uint32_t crta_offset_rt_ = 0;
    constexpr TensorAccessorArgs() = default;
    constexpr explicit TensorAccessorArgs(std::uint32_t crta_offset) : crta_offset_rt_(crta_offset) {}

    constexpr std::uint32_t crta_offset() const {
        if constexpr (CRTA_OFFSET == tensor_accessor::UNKNOWN) {
            return crta_offset_rt_;
        } else {
            return static_cast<std::uint32_t>(CRTA_OFFSET);
        }
    }
    static constexpr std::uint32_t num_compile_time_args() { return page_size_is_crta ? 1 : 2; }
    static constexpr std::uint32_t next_compile_time_args_offset() {
        return static_cast<std::uint32_t>(CTA_OFFSET) + num_compile_time_args();
    }
    constexpr std::uint32_t num_common_runtime_args() const { return page_size_is_crta ? 1 : 0; }
    constexpr std::uint32_t next_common_runtime_args_offset() const {
        return crta_offset() + num_common_runtime_args();
    }
    std::uint32_t get_aligned_page_size() const {
        if constexpr (page_size_is_crta) {
            return get_common_arg_val<std::uint32_t>(crta_offset());
        } else {
            return AlignedPageSize;
        }
    }
};
