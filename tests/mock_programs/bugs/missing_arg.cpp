// Planted bug: reads runtime arg 5 but the host sets one.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    volatile uint32_t x = get_arg_val<uint32_t>(5);
    (void)x;
}
