// Writer (RISCV_1) of every core: writes each block of CB 0 to its slot of the output.
//
// Runtime args: output address, first tile. Compile-time args: blocks, tiles per block, then the
// output's TensorAccessorArgs.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t out_addr = get_arg_val<uint32_t>(0);
    const uint32_t first_tile = get_arg_val<uint32_t>(1);
    constexpr uint32_t blocks = get_compile_time_arg_val(0);
    constexpr uint32_t tiles = get_compile_time_arg_val(1);
    constexpr auto out_args = TensorAccessorArgs<2>();
    constexpr uint32_t cb = tt::CBIndex::c_0;
    const uint32_t tile_bytes = get_tile_size(cb);
    const auto out = TensorAccessor(out_args, out_addr, tile_bytes);
    for (uint32_t b = 0; b < blocks; ++b) {
        cb_wait_front(cb, tiles);
        const uint32_t l1 = get_read_ptr(cb);
        for (uint32_t t = 0; t < tiles; ++t) {
            noc_async_write_page(first_tile + b * tiles + t, out, l1 + t * tile_bytes);
        }
        noc_async_write_barrier();
        cb_pop_front(cb, tiles);
    }
}
