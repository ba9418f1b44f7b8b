// out[i] = A[i] + B[i] through packer L1 accumulation: A[i] is packed into the output page, then, with
// pack_reconfig_l1_acc(1), B[i] is packed onto the same page, which adds it.
#include <cstdint>

#include "api/compute/common.h"
#include "api/compute/tile_move_copy.h"

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    constexpr uint32_t cb_a = tt::CBIndex::c_0, cb_b = tt::CBIndex::c_1, cb_out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(cb_a, cb_b, cb_out);
    cb_wait_front(cb_b, n);
    for (uint32_t i = 0; i < n; ++i) {
        cb_wait_front(cb_a, 1);
        cb_reserve_back(cb_out, 1);
        for (uint32_t pass = 0; pass < 2; ++pass) {
            pack_reconfig_l1_acc(pass);
            tile_regs_acquire();
            copy_init(pass == 0 ? cb_a : cb_b);
            copy_tile(pass == 0 ? cb_a : cb_b, pass == 0 ? 0 : i, 0);
            tile_regs_commit();
            tile_regs_wait();
            pack_tile<true>(0, cb_out, 0);
            tile_regs_release();
        }
        pack_reconfig_l1_acc(0);
        cb_push_back(cb_out, 1);
        cb_pop_front(cb_a, 1);
    }
    cb_pop_front(cb_b, n);
}
