// Planted bug (unconsumed pages): pushes three tiles into CB 0, but the consumer pops only one.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    for (int i = 0; i < 3; ++i) {
        cb_reserve_back(tt::CBIndex::c_0, 1);
        cb_push_back(tt::CBIndex::c_0, 1);
    }
}
