// 2-D multicast GEMM, B side and output (RISCV_0): for each K block, the core of row 0 of a column
// reads the column's Kb x Nb block of B and multicasts it down the column; then every core writes its
// Mb x Nb output block, subblock by subblock, as the compute kernel packs it. Runtime args: B
// address, first B tile (column), receivers' rectangle (x, y start, x, y end), sender's NOC x and y,
// is_sender, C address, first C tile of the block. Compile-time args: Nb, Kb, Kt, Nt, receivers per
// column, sender semaphore, receiver semaphore, Mb, subblock h, subblock w, then B's and C's
// TensorAccessorArgs.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t b_addr = get_arg_val<uint32_t>(0);
    const uint32_t b_first = get_arg_val<uint32_t>(1);
    const uint32_t x0 = get_arg_val<uint32_t>(2), y0 = get_arg_val<uint32_t>(3);
    const uint32_t x1 = get_arg_val<uint32_t>(4), y1 = get_arg_val<uint32_t>(5);
    const uint32_t sender_x = get_arg_val<uint32_t>(6), sender_y = get_arg_val<uint32_t>(7);
    const bool is_sender = get_arg_val<uint32_t>(8) != 0;
    const uint32_t c_addr = get_arg_val<uint32_t>(9);
    const uint32_t c_first = get_arg_val<uint32_t>(10);
    constexpr uint32_t Nb = get_compile_time_arg_val(0), Kb = get_compile_time_arg_val(1), Kt = get_compile_time_arg_val(2);
    constexpr uint32_t Nt = get_compile_time_arg_val(3), receivers = get_compile_time_arg_val(4);
    constexpr uint32_t Mb = get_compile_time_arg_val(7), SH = get_compile_time_arg_val(8), SW = get_compile_time_arg_val(9);
    constexpr auto b_args = TensorAccessorArgs<10>();
    constexpr auto c_args = TensorAccessorArgs<b_args.next_compile_time_args_offset()>();
    constexpr uint32_t cb = tt::CBIndex::c_1, cb_out = tt::CBIndex::c_16;
    const uint32_t tile = get_tile_size(cb);
    const auto b = TensorAccessor(b_args, b_addr, tile);
    const auto c = TensorAccessor(c_args, c_addr, tile);
    volatile tt_l1_ptr uint32_t* sender_sem =
        reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(get_compile_time_arg_val(5)));
    const uint32_t recv_sem_addr = get_semaphore(get_compile_time_arg_val(6));
    volatile tt_l1_ptr uint32_t* recv_sem = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(recv_sem_addr);
    const uint64_t sender_sem_noc = get_noc_addr(sender_x, sender_y, get_semaphore(get_compile_time_arg_val(5)));
    if (is_sender) noc_semaphore_set(recv_sem, VALID);

    for (uint32_t kb = 0; kb < Kt / Kb; ++kb) {
        cb_reserve_back(cb, Kb * Nb);
        const uint32_t l1 = get_write_ptr(cb);
        if (is_sender) {
            for (uint32_t k = 0; k < Kb; ++k) {
                for (uint32_t j = 0; j < Nb; ++j) {
                    noc_async_read_page(b_first + (kb * Kb + k) * Nt + j, b, l1 + (k * Nb + j) * tile);
                }
            }
            noc_async_read_barrier();
            if constexpr (receivers > 0) {
                noc_semaphore_wait(sender_sem, receivers);
                noc_semaphore_set(sender_sem, 0);
                noc_async_write_multicast(l1, get_noc_multicast_addr(x0, y0, x1, y1, l1), Kb * Nb * tile, receivers);
                noc_semaphore_set_multicast(recv_sem_addr, get_noc_multicast_addr(x0, y0, x1, y1, recv_sem_addr),
                                            receivers);
                noc_async_writes_flushed();
            }
        } else {
            noc_semaphore_set(recv_sem, INVALID);
            noc_semaphore_inc(sender_sem_noc, 1);
            noc_semaphore_wait(recv_sem, VALID);
        }
        cb_push_back(cb, Kb * Nb);
    }
    // the output block, subblock by subblock in the order the compute kernel packs them
    for (uint32_t sh = 0; sh < Mb / SH; ++sh) {
        for (uint32_t sw = 0; sw < Nb / SW; ++sw) {
            cb_wait_front(cb_out, SH * SW);
            const uint32_t l1 = get_read_ptr(cb_out);
            for (uint32_t r = 0; r < SH; ++r) {
                for (uint32_t q = 0; q < SW; ++q) {
                    noc_async_write_page(c_first + (sh * SH + r) * Nt + sw * SW + q, c, l1 + (r * SW + q) * tile);
                }
            }
            noc_async_writes_flushed();
            cb_pop_front(cb_out, SH * SW);
        }
    }
    noc_async_write_barrier();
    noc_async_atomic_barrier();
}
