// tt-build mock SDK: circular-buffer limits (Wormhole).
#pragma once

#include <cstdint>

inline constexpr std::uint32_t NUM_CIRCULAR_BUFFERS = 32;
