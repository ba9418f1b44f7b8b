// tt-build mock SDK: values shared by host and device code (as in tt-metal's hostdevcommon).
#pragma once

#include <cstddef>
#include <cstdint>

// The two states of a multicast flag semaphore: the data has not arrived / has arrived.
constexpr static std::uint32_t INVALID = 0;
constexpr static std::uint32_t VALID = 1;
