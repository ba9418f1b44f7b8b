// tt-build mock SDK: how a kernel names a semaphore (an id from CreateSemaphore, or a binding token).
#pragma once

#include <cstdint>

enum class SemScope : std::uint8_t {
    LOCAL_NONATOMIC = 0,
    DM_LOCAL_CACHED = 1,
    EXTERNAL = 2,
    COMPUTE_ATOMIC = 3,
};

struct SemaphoreBindingToken {
    std::uint32_t id;
    SemScope scope;
};
