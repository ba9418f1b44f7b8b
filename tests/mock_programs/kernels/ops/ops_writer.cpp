// Writes n pages from the CB named by compile-time arg 0 to an interleaved DRAM buffer.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t addr = get_arg_val<uint32_t>(0);
    const uint32_t n = get_arg_val<uint32_t>(1);
    constexpr uint32_t cb = get_compile_time_arg_val(0);
    constexpr auto args = TensorAccessorArgs<1>();
    const auto out = TensorAccessor(args, addr, get_tile_size(cb));
    for (uint32_t t = 0; t < n; ++t) {
        cb_wait_front(cb, 1);
        noc_async_write_page(t, out, get_read_ptr(cb));
        noc_async_write_barrier();
        cb_pop_front(cb, 1);
    }
}
