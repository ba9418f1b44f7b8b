// Planted bug: the pack thread waits for the DST registers before the math thread commits them (legal:
// it blocks there on the device), then releases them although the math thread never commits.
#include "api/compute/eltwise_binary.h"

void kernel_main() {
    add_init(tt::CBIndex::c_0, tt::CBIndex::c_1);
    cb_wait_front(tt::CBIndex::c_0, 1);
    cb_wait_front(tt::CBIndex::c_1, 1);
    cb_reserve_back(tt::CBIndex::c_16, 1);
    tile_regs_acquire();
    tile_regs_wait();
    add_tiles(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0, 0);
    pack_tile(0, tt::CBIndex::c_16);
    tile_regs_release();
}
