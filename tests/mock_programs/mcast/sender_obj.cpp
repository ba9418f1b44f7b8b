// The multicast sender of sender.cpp written with the object API, as ttnn's 0.81 matmul readers are:
// Noc, CircularBuffer, Semaphore, MulticastEndpoint, CoreLocalMem. Same arguments as sender.cpp.
#include <cstdint>

#include "api/core_local_mem.h"
#include "api/dataflow/circular_buffer.h"
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/endpoints.h"
#include "api/dataflow/noc.h"
#include "api/dataflow/noc_semaphore.h"
#include "api/tensor/noc_traits.h"

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
    constexpr auto in_args = TensorAccessorArgs<4>();
    const Noc noc;
    CircularBuffer cb(tt::CBIndex::c_0);
    const uint32_t tile_bytes = cb.get_tile_size();
    const auto in = TensorAccessor(in_args, in_addr, tile_bytes);
    Semaphore<> sender_sem(get_compile_time_arg_val(2));
    Semaphore<> receiver_sem(get_compile_time_arg_val(3));
    receiver_sem.set(1);

    for (uint32_t b = 0; b < blocks; ++b) {
        cb.reserve_back(tiles);
        const uint32_t start = cb.get_write_ptr();
        for (uint32_t t = 0; t < tiles; ++t) {
            noc.async_read(in, cb, tile_bytes, {.page_id = first_tile + b * tiles + t}, {.offset_bytes = t * tile_bytes});
        }
        noc.async_read_barrier();
        sender_sem.wait(num_receivers);
        sender_sem.set(0);
        const MulticastEndpoint mcast_dst;
#ifdef LOOPBACK
        noc.async_write_multicast<NocOptions::MCAST_INCL_SRC>(
            CoreLocalMem<uint32_t>(start), mcast_dst, tiles * tile_bytes, num_dests, {},
            {.noc_x_start = x_start, .noc_y_start = y_start, .noc_x_end = x_end, .noc_y_end = y_end, .addr = start});
        receiver_sem.set_multicast<NocOptions::MCAST_INCL_SRC>(noc, x_start, y_start, x_end, y_end, num_dests);
#else
        noc.async_write_multicast(
            CoreLocalMem<uint32_t>(start), mcast_dst, tiles * tile_bytes, num_dests, {},
            {.noc_x_start = x_start, .noc_y_start = y_start, .noc_x_end = x_end, .noc_y_end = y_end, .addr = start});
        receiver_sem.set_multicast(noc, x_start, y_start, x_end, y_end, num_dests);
#endif
        noc.async_write_barrier();
        cb.push_back(tiles);
    }
}
