// Consumes one tile of CB 0 (a data-movement kernel).
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    cb_wait_front(tt::CBIndex::c_0, 1);
    cb_pop_front(tt::CBIndex::c_0, 1);
}
