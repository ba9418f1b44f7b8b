// Planted fault (compute): a 64 MiB array on the kernel's stack.
#include <cstdint>

#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_binary.h"

void kernel_main() {
    volatile uint8_t scratch[64u << 20];
    scratch[0] = 1;
    scratch[sizeof scratch - 1] = scratch[0];
    compute_kernel_hw_startup(tt::CBIndex::c_0, tt::CBIndex::c_1, tt::CBIndex::c_16);
}
