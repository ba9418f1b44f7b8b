// reduce_tile over an Ht x Wt grid of tiles (row-major in CB 0) with the scaler tile in CB 1, REDUCE_OP /
// REDUCE_DIM from defines: REDUCE_ROW gives Ht tiles, REDUCE_COL Wt tiles, REDUCE_SCALAR one tile.
#include <cstdint>

#include "api/compute/reduce.h"

void kernel_main() {
    constexpr uint32_t Ht = get_compile_time_arg_val(0);
    constexpr uint32_t Wt = get_compile_time_arg_val(1);
    constexpr uint32_t cb_in = tt::CBIndex::c_0, cb_scaler = tt::CBIndex::c_1, cb_out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(cb_in, cb_scaler, cb_out);
    reduce_init<REDUCE_OP, REDUCE_DIM>(cb_in, cb_scaler, cb_out);
    cb_wait_front(cb_scaler, 1);
    cb_wait_front(cb_in, Ht * Wt);
    constexpr bool row = REDUCE_DIM == ReduceDim::REDUCE_ROW, col = REDUCE_DIM == ReduceDim::REDUCE_COL;
    constexpr uint32_t outer = row ? Ht : (col ? Wt : 1), inner = row ? Wt : (col ? Ht : Ht * Wt);
    for (uint32_t o = 0; o < outer; ++o) {
        tile_regs_acquire();
        for (uint32_t i = 0; i < inner; ++i) {
            const uint32_t tile = row ? o * Wt + i : (col ? i * Wt + o : i);
            reduce_tile<REDUCE_OP, REDUCE_DIM>(cb_in, cb_scaler, tile, 0, 0);
        }
        tile_regs_commit();
        cb_reserve_back(cb_out, 1);
        tile_regs_wait();
        pack_tile(0, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 1);
    }
    reduce_uninit();
    cb_pop_front(cb_in, Ht * Wt);
    cb_pop_front(cb_scaler, 1);
}
