// 2-D multicast GEMM, A side (RISCV_1): for each K block, the core of column 0 of a row reads the
// row's Mb x Kb block of A from DRAM and multicasts it along the row; the other cores of the row
// receive it. Runtime args: A address, first A tile of the row, the receivers' rectangle (NOC x
// start, y, x end, y), the sender's NOC x and y, is_sender. Compile-time args: Mt per core (Mb),
// Kb, Kt, receivers per row, sender semaphore, receiver semaphore, then A's TensorAccessorArgs.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t a_addr = get_arg_val<uint32_t>(0);
    const uint32_t a_first = get_arg_val<uint32_t>(1);
    const uint32_t x0 = get_arg_val<uint32_t>(2), y0 = get_arg_val<uint32_t>(3);
    const uint32_t x1 = get_arg_val<uint32_t>(4), y1 = get_arg_val<uint32_t>(5);
    const uint32_t sender_x = get_arg_val<uint32_t>(6), sender_y = get_arg_val<uint32_t>(7);
    const bool is_sender = get_arg_val<uint32_t>(8) != 0;
    constexpr uint32_t Mb = get_compile_time_arg_val(0), Kb = get_compile_time_arg_val(1), Kt = get_compile_time_arg_val(2);
    constexpr uint32_t receivers = get_compile_time_arg_val(3);
    constexpr auto a_args = TensorAccessorArgs<6>();
    constexpr uint32_t cb = tt::CBIndex::c_0;
    const uint32_t tile = get_tile_size(cb);
    const auto a = TensorAccessor(a_args, a_addr, tile);
    volatile tt_l1_ptr uint32_t* sender_sem =
        reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(get_compile_time_arg_val(4)));
    const uint32_t recv_sem_addr = get_semaphore(get_compile_time_arg_val(5));
    volatile tt_l1_ptr uint32_t* recv_sem = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(recv_sem_addr);
    const uint64_t sender_sem_noc = get_noc_addr(sender_x, sender_y, get_semaphore(get_compile_time_arg_val(4)));
    if (is_sender) noc_semaphore_set(recv_sem, VALID);

    for (uint32_t kb = 0; kb < Kt / Kb; ++kb) {
        cb_reserve_back(cb, Mb * Kb);
        const uint32_t l1 = get_write_ptr(cb);
        if (is_sender) {
            for (uint32_t i = 0; i < Mb; ++i) {
                for (uint32_t k = 0; k < Kb; ++k) {
                    noc_async_read_page(a_first + i * Kt + kb * Kb + k, a, l1 + (i * Kb + k) * tile);
                }
            }
            noc_async_read_barrier();
            if constexpr (receivers > 0) {
                noc_semaphore_wait(sender_sem, receivers);
                noc_semaphore_set(sender_sem, 0);
                noc_async_write_multicast(l1, get_noc_multicast_addr(x0, y0, x1, y1, l1), Mb * Kb * tile, receivers);
                noc_semaphore_set_multicast(recv_sem_addr, get_noc_multicast_addr(x0, y0, x1, y1, recv_sem_addr),
                                            receivers);
                noc_async_writes_flushed();
            }
        } else {
            noc_semaphore_set(recv_sem, INVALID);
            noc_semaphore_inc(sender_sem_noc, 1);
            noc_semaphore_wait(recv_sem, VALID);
        }
        cb_push_back(cb, Mb * Kb);
    }
    noc_async_write_barrier();
    noc_async_atomic_barrier();
}
