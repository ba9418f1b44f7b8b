// Pushes one (zero) tile into CB 0 and CB 1 (feeds the compute bug kernels).
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    cb_reserve_back(tt::CBIndex::c_0, 1);
    cb_push_back(tt::CBIndex::c_0, 1);
    cb_reserve_back(tt::CBIndex::c_1, 1);
    cb_push_back(tt::CBIndex::c_1, 1);
}
