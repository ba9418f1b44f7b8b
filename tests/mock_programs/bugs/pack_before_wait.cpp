// Planted bug: packs after tile_regs_commit() but before tile_regs_wait().
#include "api/compute/eltwise_binary.h"

void kernel_main() {
    add_init(tt::CBIndex::c_0, tt::CBIndex::c_1);
    cb_wait_front(tt::CBIndex::c_0, 1);
    cb_wait_front(tt::CBIndex::c_1, 1);
    tile_regs_acquire();
    add_tiles(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0, 0);
    tile_regs_commit();
    cb_reserve_back(tt::CBIndex::c_16, 1);
    pack_tile(0, tt::CBIndex::c_16);
}
