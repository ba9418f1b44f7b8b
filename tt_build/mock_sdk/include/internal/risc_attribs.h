// tt-build mock SDK: tt-metal's internal/risc_attribs.h, which ttnn's matmul kernels include for its
// pointer annotations and FORCE_INLINE. On the CPU the address-space attributes tt_l1_ptr and
// tt_reg_ptr annotate nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tt_mock/kernel_common.h"

// a 64-bit value read from L1 as two 32-bit halves
union tt_uint64_t {
    std::uint64_t v;
    struct {
        std::uint32_t hi;
        std::uint32_t lo;
    };
};

// a count of 32-bit L1 words, a type of its own so that a byte count is not passed for it
enum class L1WordCount : std::int32_t {};

constexpr L1WordCount l1_word_count_from_bytes(std::size_t bytes) { return static_cast<L1WordCount>(bytes / 4); }

// where an inline write goes (the destination selects the write method on the device)
enum class InlineWriteDst : std::uint8_t { DEFAULT = 0, L1 = 1, REG = 2 };

inline __attribute__((always_inline)) std::uint64_t tt_l1_load(tt_uint64_t tt_l1_ptr* p) {
    tt_uint64_t v;
    v.hi = p->hi;
    v.lo = p->lo;
    return v.v;
}
