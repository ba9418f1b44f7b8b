// Planted bug: reserves more pages than CB 0 holds (2).
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    cb_reserve_back(tt::CBIndex::c_0, 4);
    cb_push_back(tt::CBIndex::c_0, 4);
}
