// Consumes one tile of CB 0.
#include "api/compute/common.h"

void kernel_main() {
    cb_wait_front(tt::CBIndex::c_0, 1);
    cb_pop_front(tt::CBIndex::c_0, 1);
}
