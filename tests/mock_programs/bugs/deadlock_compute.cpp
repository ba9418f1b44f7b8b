// Planted bug (deadlock): waits for two tiles of CB 0 that are never all produced.
#include "api/compute/common.h"

void kernel_main() {
    cb_wait_front(tt::CBIndex::c_0, 2);
    cb_pop_front(tt::CBIndex::c_0, 2);
    cb_reserve_back(tt::CBIndex::c_16, 1);
    cb_push_back(tt::CBIndex::c_16, 1);
}
