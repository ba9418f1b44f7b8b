// NEGATIVE (issue 11, bug 1): an SFPU-only compute kernel that reads a runtime argument without including
// api/compute/common.h: in TT-Metalium 0.81 get_arg_val reaches a compute kernel only through that header
// (tile_move_copy.h and the SFPU headers do not include it), so the real headers reject get_arg_val.
// Compile-time args: [0] CB id of the input, [1] CB id of the output. Runtime args: [0] number of tiles.
#include <cstdint>

#include "api/compute/eltwise_unary/exp.h"
#include "api/compute/tile_move_copy.h"

void kernel_main() {
    const uint32_t num_tiles = get_arg_val<uint32_t>(0);
    constexpr uint32_t cb_in = get_compile_time_arg_val(0);
    constexpr uint32_t cb_out = get_compile_time_arg_val(1);

    compute_kernel_hw_startup(cb_in, cb_out);
    copy_init(cb_in);
    exp_tile_init();
    for (uint32_t tile = 0; tile < num_tiles; ++tile) {
        cb_wait_front(cb_in, 1);
        tile_regs_acquire();
        copy_tile(cb_in, 0, 0);
        exp_tile(0);
        tile_regs_commit();
        cb_pop_front(cb_in, 1);
        cb_reserve_back(cb_out, 1);
        tile_regs_wait();
        pack_tile(0, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 1);
    }
}
