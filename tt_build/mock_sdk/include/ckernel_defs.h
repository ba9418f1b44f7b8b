// tt-build mock SDK: the ckernel definitions data-movement kernels name (thread ids of the compute
// core's mailboxes).
#pragma once

#include <cstdint>

namespace ckernel {
enum ThreadId {
    BriscThreadId = 0,
    UnpackThreadId = 1,
    MathThreadId = 2,
    PackThreadId = 3,
};
}  // namespace ckernel
