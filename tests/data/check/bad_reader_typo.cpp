// NEGATIVE: calls an API that does not exist (a typo of noc_async_read_tile).
// this core's tiles [start, start + count), one tile per CB page.
//
// Compile-time args: [0] CB id of the input CB, [1..2] TensorAccessorArgs of the input tensor.
// Runtime args: [0] input address, [1] first tile, [2] number of tiles.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t in_addr = get_arg_val<uint32_t>(0);
    const uint32_t start_tile = get_arg_val<uint32_t>(1);
    const uint32_t num_tiles = get_arg_val<uint32_t>(2);

    constexpr uint32_t cb_in = get_compile_time_arg_val(0);
    constexpr auto in_args = TensorAccessorArgs<1>();
    const uint32_t page_bytes = get_tile_size(cb_in);
    const auto in = TensorAccessor(in_args, in_addr, page_bytes);

    for (uint32_t tile = start_tile; tile < start_tile + num_tiles; ++tile) {
        cb_reserve_back(cb_in, 1);
        const uint32_t l1_addr = get_write_ptr(cb_in);
        noc_async_read_tile_typo(tile, in, l1_addr);
        noc_async_read_barrier();
        cb_push_back(cb_in, 1);
    }
}
