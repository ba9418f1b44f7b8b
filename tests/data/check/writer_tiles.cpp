// Writer in the style tt-build's codegen emits: drains the output CB into one interleaved tensor.
//
// Compile-time args: [0] CB id of the output CB, [1..2] TensorAccessorArgs of the output tensor.
// Runtime args: [0] output address, [1] first tile, [2] number of tiles.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t out_addr = get_arg_val<uint32_t>(0);
    const uint32_t start_tile = get_arg_val<uint32_t>(1);
    const uint32_t num_tiles = get_arg_val<uint32_t>(2);

    constexpr uint32_t cb_out = get_compile_time_arg_val(0);
    constexpr auto out_args = TensorAccessorArgs<1>();
    const uint32_t page_bytes = get_tile_size(cb_out);
    const auto out = TensorAccessor(out_args, out_addr, page_bytes);

    for (uint32_t tile = start_tile; tile < start_tile + num_tiles; ++tile) {
        cb_wait_front(cb_out, 1);
        const uint32_t l1_addr = get_read_ptr(cb_out);
        noc_async_write_page(tile, out, l1_addr);
        noc_async_write_barrier();
        cb_pop_front(cb_out, 1);
    }
}
