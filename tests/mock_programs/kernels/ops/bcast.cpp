// out[i] = A[i] op bcast(B[0]) for the n tiles of A: BCAST_INIT / BCAST_TILES name the broadcast calls
// ({add,sub,mul}_bcast_{rows,cols,scalar}_init and {add,sub,mul}_tiles_bcast_{rows,cols,scalar}).
#include <cstdint>

#include "api/compute/bcast.h"

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    constexpr uint32_t cb_a = tt::CBIndex::c_0, cb_b = tt::CBIndex::c_1, cb_out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(cb_a, cb_b, cb_out);
    BCAST_INIT(cb_a, cb_b);
    cb_wait_front(cb_b, 1);
    for (uint32_t i = 0; i < n; ++i) {
        cb_wait_front(cb_a, 1);
        tile_regs_acquire();
        BCAST_TILES(cb_a, cb_b, 0, 0, 0);
        tile_regs_commit();
        cb_reserve_back(cb_out, 1);
        tile_regs_wait();
        pack_tile(0, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 1);
        cb_pop_front(cb_a, 1);
    }
    cb_pop_front(cb_b, 1);
}
