// Waits for the compute kernel's output tile.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    cb_wait_front(tt::CBIndex::c_16, 1);
    cb_pop_front(tt::CBIndex::c_16, 1);
}
