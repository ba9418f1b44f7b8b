// Multicast sender (RISCV_0): reads each block of its row (or column) from DRAM into CB 0, waits
// until every receiver has reserved room for it (they increment the sender semaphore), multicasts
// it to the receivers and then multicasts the VALID flag to their receiver semaphore.
//
// Runtime args: input address, first tile, rectangle (x_start, y_start, x_end, y_end) in NOC
// coordinates, num_dests, the number of receivers. Compile-time args: blocks, tiles per block, sender semaphore id,
// receiver semaphore id, then the input's TensorAccessorArgs. Defines: LOOPBACK (the rectangle
// includes the sender, which the multicast also writes), SKIP_READY_WAIT, SKIP_WRITE_BARRIER (planted bugs).
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t in_addr = get_arg_val<uint32_t>(0);
    const uint32_t first_tile = get_arg_val<uint32_t>(1);
    const uint32_t x_start = get_arg_val<uint32_t>(2);
    const uint32_t y_start = get_arg_val<uint32_t>(3);
    const uint32_t x_end = get_arg_val<uint32_t>(4);
    const uint32_t y_end = get_arg_val<uint32_t>(5);
    const uint32_t num_dests = get_arg_val<uint32_t>(6);
    const uint32_t num_receivers = get_arg_val<uint32_t>(7);

    constexpr uint32_t blocks = get_compile_time_arg_val(0);
    constexpr uint32_t tiles = get_compile_time_arg_val(1);
    constexpr uint32_t sender_sem_id = get_compile_time_arg_val(2);
    constexpr uint32_t receiver_sem_id = get_compile_time_arg_val(3);
    constexpr auto in_args = TensorAccessorArgs<4>();
    constexpr uint32_t cb = tt::CBIndex::c_0;
    const uint32_t tile_bytes = get_tile_size(cb);
    const auto in = TensorAccessor(in_args, in_addr, tile_bytes);

    volatile tt_l1_ptr uint32_t* sender_sem = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(sender_sem_id));
    const uint32_t receiver_sem_addr = get_semaphore(receiver_sem_id);
    volatile tt_l1_ptr uint32_t* receiver_sem = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(receiver_sem_addr);
    noc_semaphore_set(receiver_sem, 1);  // VALID: the value multicast after each block

    for (uint32_t b = 0; b < blocks; ++b) {
        cb_reserve_back(cb, tiles);
        const uint32_t l1 = get_write_ptr(cb);
        for (uint32_t t = 0; t < tiles; ++t) {
            noc_async_read_page(first_tile + b * tiles + t, in, l1 + t * tile_bytes);
        }
        noc_async_read_barrier();
#ifndef SKIP_READY_WAIT
        noc_semaphore_wait(sender_sem, num_receivers);
        noc_semaphore_set(sender_sem, 0);
#endif
        const uint64_t data_mcast = get_noc_multicast_addr(x_start, y_start, x_end, y_end, l1);
        const uint64_t sem_mcast = get_noc_multicast_addr(x_start, y_start, x_end, y_end, receiver_sem_addr);
#ifdef LOOPBACK
        noc_async_write_multicast_loopback_src(l1, data_mcast, tiles * tile_bytes, num_dests);
        noc_semaphore_set_multicast_loopback_src(receiver_sem_addr, sem_mcast, num_dests);
#else
        noc_async_write_multicast(l1, data_mcast, tiles * tile_bytes, num_dests);
        noc_semaphore_set_multicast(receiver_sem_addr, sem_mcast, num_dests);
#endif
#ifdef SKIP_WRITE_BARRIER
        // planted bug: the block's last page copied over its first one (a local NOC read) while the
        // multicast may still be reading it
        noc_async_read(get_noc_addr(l1 + (tiles - 1) * tile_bytes), l1, tile_bytes);
        noc_async_read_barrier();
#else
        noc_async_write_barrier();
#endif
        cb_push_back(cb, tiles);
    }
}
