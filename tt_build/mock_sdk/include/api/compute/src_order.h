// tt-build mock SDK: operand-to-source-register ordering tag.
#pragma once

#include <cstdint>

namespace ckernel {
enum class SrcOrder : std::uint8_t {
    Regular = 0,
    Reverse = 1,
};
}  // namespace ckernel
