// Planted bug (deadlock): pushes one tile, but the compute kernel waits for two.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    cb_reserve_back(tt::CBIndex::c_0, 1);
    cb_push_back(tt::CBIndex::c_0, 1);
}
