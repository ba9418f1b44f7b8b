// 2-D multicast GEMM compute: the core's Mb x Nb output block in SH x SW subblocks (at most 8 tiles
// in DST); for each K block each subblock reloads its partial sums (CB 24), accumulates the K block's
// tile matmuls and packs the partials back, or, after the last K block, the results (CB 16).
// Compile-time args: Mb, Nb, Kb, Kt, SH, SW.
#include <cstdint>

#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/matmul.h"
#include "api/compute/tile_move_copy.h"

void kernel_main() {
    constexpr uint32_t Mb = get_compile_time_arg_val(0), Nb = get_compile_time_arg_val(1);
    constexpr uint32_t Kb = get_compile_time_arg_val(2), Kt = get_compile_time_arg_val(3);
    constexpr uint32_t SH = get_compile_time_arg_val(4), SW = get_compile_time_arg_val(5);
    constexpr uint32_t cb_a = tt::CBIndex::c_0, cb_b = tt::CBIndex::c_1, cb_out = tt::CBIndex::c_16;
    constexpr uint32_t cb_part = tt::CBIndex::c_24;
    constexpr uint32_t nkb = Kt / Kb;

    compute_kernel_hw_startup<SrcOrder::Reverse>(cb_a, cb_b, cb_out);
    for (uint32_t kb = 0; kb < nkb; ++kb) {
        cb_wait_front(cb_a, Mb * Kb);
        cb_wait_front(cb_b, Kb * Nb);
        const bool last = kb + 1 == nkb;
        for (uint32_t sh = 0; sh < Mb / SH; ++sh) {
            for (uint32_t sw = 0; sw < Nb / SW; ++sw) {
                tile_regs_acquire();
                if (kb > 0) {
                    cb_wait_front(cb_part, SH * SW);
                    copy_init(cb_part);
                    for (uint32_t t = 0; t < SH * SW; ++t) copy_tile(cb_part, t, t);
                    cb_pop_front(cb_part, SH * SW);
                }
                matmul_init(cb_a, cb_b);
                for (uint32_t r = 0; r < SH; ++r) {
                    for (uint32_t q = 0; q < SW; ++q) {
                        for (uint32_t k = 0; k < Kb; ++k) {
                            matmul_tiles(cb_a, cb_b, (sh * SH + r) * Kb + k, k * Nb + sw * SW + q, r * SW + q);
                        }
                    }
                }
                tile_regs_commit();
                const uint32_t dst_cb = last ? cb_out : cb_part;
                cb_reserve_back(dst_cb, SH * SW);
                tile_regs_wait();
                for (uint32_t t = 0; t < SH * SW; ++t) pack_tile(t, dst_cb);
                tile_regs_release();
                cb_push_back(dst_cb, SH * SW);
            }
        }
        cb_pop_front(cb_a, Mb * Kb);
        cb_pop_front(cb_b, Kb * Nb);
    }
}
