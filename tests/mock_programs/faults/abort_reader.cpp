// Planted fault (reader, RISCV_1): std::abort(), as a failed assert would.
#include <cstdint>
#include <cstdlib>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    if (get_arg_val<uint32_t>(3) != 0) std::abort();
}
