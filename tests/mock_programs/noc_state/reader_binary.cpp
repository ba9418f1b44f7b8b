// reader_binary.cpp of tests/mock_programs/kernels with stateful reads (Noc::set_async_read_state,
// Noc::async_read_with_state): tile t of A is read as two halves from one state in one-packet mode
// (the state's size, size_bytes 0), tile t of B as a whole in the default mode (size_bytes).
#include <cstdint>

#include "api/core_local_mem.h"
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/noc.h"
#include "api/tensor/noc_traits.h"
#include "internal/risc_attribs.h"

void kernel_main() {
    const uint32_t a_addr = get_arg_val<uint32_t>(0);
    const uint32_t b_addr = get_arg_val<uint32_t>(1);
    const uint32_t start = get_arg_val<uint32_t>(2);
    const uint32_t n = get_arg_val<uint32_t>(3);

    constexpr uint32_t cb_a = tt::CBIndex::c_0;
    constexpr uint32_t cb_b = tt::CBIndex::c_1;
    constexpr auto a_args = TensorAccessorArgs<0>();
    constexpr auto b_args = TensorAccessorArgs<a_args.next_compile_time_args_offset()>();
    const uint32_t tile_bytes = get_tile_size(cb_a);
    const auto a = TensorAccessor(a_args, a_addr, tile_bytes);
    const auto b = TensorAccessor(b_args, b_addr, get_tile_size(cb_b));
    constexpr uint32_t half = 1024;  // half a bfloat16 tile
    Noc noc;

    for (uint32_t t = start; t < start + n; ++t) {
        cb_reserve_back(cb_a, 1);
        cb_reserve_back(cb_b, 1);
        const CoreLocalMem<uint32_t> dst_a(get_write_ptr(cb_a));
        noc.set_async_read_state<NocOptions::DEFAULT, half>(a, half, {.page_id = t});
        noc.async_read_with_state<NocOptions::DEFAULT, half>(a, dst_a, 0, {.page_id = t}, {});
        noc.async_read_with_state<NocOptions::DEFAULT, half>(a, dst_a, 0, {.page_id = t, .offset_bytes = half},
                                                             {.offset_bytes = half});
        noc.set_async_read_state(b, 0, {.page_id = t});
        noc.async_read_with_state(b, CoreLocalMem<uint32_t>(get_write_ptr(cb_b)), tile_bytes, {.page_id = t}, {});
        noc.async_read_barrier();
        cb_push_back(cb_a, 1);
        cb_push_back(cb_b, 1);
    }
}
