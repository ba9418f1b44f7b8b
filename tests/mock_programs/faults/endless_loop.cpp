// Planted fault (compute): computes forever without calling the device API.
#include <cstdint>

#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_binary.h"

void kernel_main() {
    volatile uint32_t spin = 1;
    while (spin != 0) {
    }
    compute_kernel_hw_startup(tt::CBIndex::c_0, tt::CBIndex::c_1, tt::CBIndex::c_16);
}
