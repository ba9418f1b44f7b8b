// Row-major rows (CB 0, W tiles wide, H tile rows) -> tiles (CB 2) with tilize_block, then tiles ->
// row-major rows (CB 16) with pack_untilize_block, W = compile-time arg 0, H = arg 1. With TRANSPOSE
// defined each tile is transposed in between (transpose_tile), so the rows come back per-tile transposed.
// With L1_ACC defined the rows are tilized twice into the same pages, the second time with packer L1
// accumulation on, so they come back doubled.
#include <cstdint>

#include "api/compute/pack.h"
#include "api/compute/pack_untilize.h"
#include "api/compute/tilize.h"
#include "api/compute/transpose.h"

void kernel_main() {
    constexpr uint32_t W = get_compile_time_arg_val(0);
    constexpr uint32_t H = get_compile_time_arg_val(1);
    constexpr uint32_t cb_rm = tt::CBIndex::c_0, cb_tiles = tt::CBIndex::c_2, cb_tr = tt::CBIndex::c_3,
                       cb_out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(cb_rm, cb_out);
    for (uint32_t h = 0; h < H; ++h) {
        tilize_init(cb_rm, W, cb_tiles);
        for (uint32_t w = 0; w < W; ++w) cb_wait_front(cb_rm, w + 1);  // A arrives one page at a time
        cb_reserve_back(cb_tiles, W);
        tilize_block(cb_rm, W, cb_tiles);
#ifdef L1_ACC
        pack_reconfig_l1_acc(1);
        tilize_block(cb_rm, W, cb_tiles);
        pack_reconfig_l1_acc(0);
#endif
        cb_push_back(cb_tiles, W);
        cb_pop_front(cb_rm, W);
        tilize_uninit(cb_rm, cb_tiles);
        uint32_t cb_src = cb_tiles;
#ifdef TRANSPOSE
        transpose_init(cb_tiles);
        cb_wait_front(cb_tiles, W);
        cb_reserve_back(cb_tr, W);
        for (uint32_t w = 0; w < W; ++w) {
            tile_regs_acquire();
            transpose_tile(cb_tiles, w, 0);
            tile_regs_commit();
            tile_regs_wait();
            pack_tile(0, cb_tr);
            tile_regs_release();
        }
        cb_push_back(cb_tr, W);
        cb_pop_front(cb_tiles, W);
        cb_src = cb_tr;
#endif
        pack_untilize_init<W>(cb_src, cb_out);
        cb_wait_front(cb_src, W);
        cb_reserve_back(cb_out, W);
        pack_untilize_block<W>(cb_src, 1, cb_out);
        cb_push_back(cb_out, W);
        cb_pop_front(cb_src, W);
        pack_untilize_uninit(cb_out);
    }
}
