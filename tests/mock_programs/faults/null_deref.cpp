// Planted fault (reader, RISCV_1): reads through a null pointer taken from memory.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    volatile std::uintptr_t table = 0;  // a pointer that was never set
    const uint32_t first = *reinterpret_cast<volatile uint32_t*>(table);
    cb_reserve_back(tt::CBIndex::c_0, first);
}
