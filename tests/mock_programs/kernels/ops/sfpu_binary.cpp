// out[i] = SFPU_BINARY(A[i], B[i]) on DST (copy both tiles in, binary SFPU op, pack), n = runtime arg 0;
#include <cstdint>

#include "api/compute/common.h"
#include "api/compute/binary_max_min.h"
#include "api/compute/eltwise_binary_sfpu.h"
#include "api/compute/tile_move_copy.h"

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    constexpr uint32_t cb_a = tt::CBIndex::c_0, cb_b = tt::CBIndex::c_1, cb_out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(cb_a, cb_b, cb_out);
    cb_wait_front(cb_b, n);
    for (uint32_t i = 0; i < n; ++i) {
        cb_wait_front(cb_a, 1);
        tile_regs_acquire();
        copy_init(cb_a);
        copy_tile(cb_a, 0, 0);
        copy_init(cb_b);
        copy_tile(cb_b, i, 1);
        SFPU_BINARY
        tile_regs_commit();
        cb_reserve_back(cb_out, 1);
        tile_regs_wait();
        pack_tile(0, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 1);
        cb_pop_front(cb_a, 1);
    }
    cb_pop_front(cb_b, n);
}
