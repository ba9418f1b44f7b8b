// Planted bug: DST index 16 (DST holds 16 tiles: 0..15).
#include "api/compute/eltwise_binary.h"

void kernel_main() {
    add_init(tt::CBIndex::c_0, tt::CBIndex::c_1);
    cb_wait_front(tt::CBIndex::c_0, 1);
    cb_wait_front(tt::CBIndex::c_1, 1);
    tile_regs_acquire();
    add_tiles(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0, 16);
}
