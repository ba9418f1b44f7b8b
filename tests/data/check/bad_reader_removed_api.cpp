// NEGATIVE: uses the DRAM-sharded read helpers that older TT-Metalium releases had in
// dataflow_api.h (noc_async_read_tile_dram_sharded_set_state / _with_state); TT-Metalium 0.81
// no longer has them.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t in_addr = get_arg_val<uint32_t>(0);
    const uint32_t num_tiles = get_arg_val<uint32_t>(1);
    constexpr uint32_t cb_in = get_compile_time_arg_val(0);
    constexpr uint32_t page_bytes = 2048;

    noc_async_read_tile_dram_sharded_set_state<true>(in_addr, page_bytes, 0, 0);
    for (uint32_t tile = 0; tile < num_tiles; ++tile) {
        cb_reserve_back(cb_in, 1);
        noc_async_read_tile_dram_sharded_with_state(in_addr, tile * page_bytes, get_write_ptr(cb_in));
        noc_async_read_barrier();
        cb_push_back(cb_in, 1);
    }
}
