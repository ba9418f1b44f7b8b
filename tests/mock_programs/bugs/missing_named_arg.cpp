// Planted bug: reads a named compile-time argument the host program does not pass.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    constexpr uint32_t cb_in = get_named_compile_time_arg_val("cb_in0");
    cb_reserve_back(cb_in, 1);
    cb_push_back(cb_in, 1);
}
