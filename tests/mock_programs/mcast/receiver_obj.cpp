// The multicast receiver of receiver.cpp written with the object API (Noc, CircularBuffer, Semaphore).
#include <cstdint>

#include "api/dataflow/circular_buffer.h"
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/noc.h"
#include "api/dataflow/noc_semaphore.h"

void kernel_main() {
    const uint32_t sender_x = get_arg_val<uint32_t>(0);
    const uint32_t sender_y = get_arg_val<uint32_t>(1);
    constexpr uint32_t blocks = get_compile_time_arg_val(0);
    constexpr uint32_t tiles = get_compile_time_arg_val(1);
    constexpr uint32_t valid = get_compile_time_arg_val(4);
    const Noc noc;
    CircularBuffer cb(tt::CBIndex::c_0);
    Semaphore<> sender_sem(get_compile_time_arg_val(2));
    Semaphore<> receiver_sem(get_compile_time_arg_val(3));
    for (uint32_t b = 0; b < blocks; ++b) {
        cb.reserve_back(tiles);
        receiver_sem.set(0);
        sender_sem.up(noc, sender_x, sender_y, 1);
        receiver_sem.wait(valid);
        cb.push_back(tiles);
    }
    noc.async_atomic_barrier();
}
