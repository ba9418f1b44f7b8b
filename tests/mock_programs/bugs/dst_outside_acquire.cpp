// Planted bug: math on DST without tile_regs_acquire().
#include "api/compute/eltwise_binary.h"

void kernel_main() {
    add_init(tt::CBIndex::c_0, tt::CBIndex::c_1);
    cb_wait_front(tt::CBIndex::c_0, 1);
    cb_wait_front(tt::CBIndex::c_1, 1);
    add_tiles(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0, 0);
}
