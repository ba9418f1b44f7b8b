// Reads all nb pages of B into CB 1 up front, then the na pages of A into CB 0 one at a time.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t a_addr = get_arg_val<uint32_t>(0);
    const uint32_t na = get_arg_val<uint32_t>(1);
    const uint32_t b_addr = get_arg_val<uint32_t>(2);
    const uint32_t nb = get_arg_val<uint32_t>(3);
    constexpr uint32_t cb_a = tt::CBIndex::c_0;
    constexpr uint32_t cb_b = tt::CBIndex::c_1;
    constexpr auto a_args = TensorAccessorArgs<0>();
    constexpr auto b_args = TensorAccessorArgs<a_args.next_compile_time_args_offset()>();
    const auto a = TensorAccessor(a_args, a_addr, get_tile_size(cb_a));
    const auto b = TensorAccessor(b_args, b_addr, get_tile_size(cb_b));
    cb_reserve_back(cb_b, nb);  // nb may be 0: a no-op, as on the device
    for (uint32_t t = 0; t < nb; ++t) {
        noc_async_read_page(t, b, get_write_ptr(cb_b) + t * get_tile_size(cb_b));
    }
    noc_async_read_barrier();
    if (nb > 0) {
        cb_push_back(cb_b, nb);
    }
    for (uint32_t t = 0; t < na; ++t) {
        cb_reserve_back(cb_a, 1);
        noc_async_read_page(t, a, get_write_ptr(cb_a));
        noc_async_read_barrier();
        cb_push_back(cb_a, 1);
    }
}
