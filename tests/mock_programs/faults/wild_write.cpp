// Planted fault (writer, RISCV_0): stores through a garbage address.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    volatile std::uintptr_t dst = 0xfff0;  // in the first 64 KiB, which is never mapped
    *reinterpret_cast<volatile uint32_t*>(dst) = get_arg_val<uint32_t>(0);
}
