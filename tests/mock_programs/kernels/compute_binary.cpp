// out = a OP b tile by tile, OP from compile-time arg 0 (0 add, 1 sub, 2 mul); optional SFPU
// post-op from the defines POST_OP / POST_OP_INIT (e.g. exp_tile / exp_tile_init).
#include <cstdint>

#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_binary.h"
#include "api/compute/eltwise_unary/exp.h"
#include "api/compute/eltwise_unary/relu.h"
#include "api/compute/tile_move_copy.h"

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    constexpr uint32_t op = get_compile_time_arg_val(0);
    constexpr uint32_t cb_a = tt::CBIndex::c_0, cb_b = tt::CBIndex::c_1, cb_out = tt::CBIndex::c_16;

    compute_kernel_hw_startup(cb_a, cb_b, cb_out);
    if constexpr (op == 0) {
        add_init(cb_a, cb_b);
    } else if constexpr (op == 1) {
        sub_init(cb_a, cb_b);
    } else {
        mul_init(cb_a, cb_b);
    }
#ifdef POST_OP
    POST_OP_INIT();
#endif
    for (uint32_t t = 0; t < n; ++t) {
        cb_wait_front(cb_a, 1);
        cb_wait_front(cb_b, 1);
        tile_regs_acquire();
        if constexpr (op == 0) {
            add_tiles(cb_a, cb_b, 0, 0, 0);
        } else if constexpr (op == 1) {
            sub_tiles(cb_a, cb_b, 0, 0, 0);
        } else {
            mul_tiles(cb_a, cb_b, 0, 0, 0);
        }
#ifdef POST_OP
        POST_OP(0);
#endif
        tile_regs_commit();
        cb_pop_front(cb_a, 1);
        cb_pop_front(cb_b, 1);
        cb_reserve_back(cb_out, 1);
        tile_regs_wait();
        pack_tile(0, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 1);
    }
}
