// Multicast receiver (RISCV_0): for each block reserves room in CB 0, tells the sender it is ready
// (atomic increment of the sender's semaphore), waits for the VALID flag the sender multicasts after
// the data, and pushes the block.
//
// Runtime args: the sender's NOC x and y. Compile-time args: blocks, tiles per block, sender
// semaphore id, receiver semaphore id, the VALID value to wait for.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t sender_x = get_arg_val<uint32_t>(0);
    const uint32_t sender_y = get_arg_val<uint32_t>(1);
    constexpr uint32_t blocks = get_compile_time_arg_val(0);
    constexpr uint32_t tiles = get_compile_time_arg_val(1);
    constexpr uint32_t sender_sem_id = get_compile_time_arg_val(2);
    constexpr uint32_t receiver_sem_id = get_compile_time_arg_val(3);
    constexpr uint32_t valid = get_compile_time_arg_val(4);
    constexpr uint32_t cb = tt::CBIndex::c_0;

    volatile tt_l1_ptr uint32_t* receiver_sem =
        reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(receiver_sem_id));
    const uint64_t sender_sem_noc = get_noc_addr(sender_x, sender_y, get_semaphore(sender_sem_id));

    for (uint32_t b = 0; b < blocks; ++b) {
        cb_reserve_back(cb, tiles);
        noc_semaphore_set(receiver_sem, 0);  // INVALID until the sender's flag arrives
        noc_semaphore_inc(sender_sem_noc, 1);
        noc_semaphore_wait(receiver_sem, valid);
        cb_push_back(cb, tiles);
    }
    noc_async_atomic_barrier();
}
