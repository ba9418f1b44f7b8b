// Planted bug: reads page 4 of a 4-page DRAM buffer.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t addr = get_arg_val<uint32_t>(0);
    constexpr auto args = TensorAccessorArgs<0>();
    const auto buf = TensorAccessor(args, addr, 2048);
    cb_reserve_back(tt::CBIndex::c_0, 1);
    for (uint32_t page = 0; page <= 4; ++page) {
        noc_async_read_page(page, buf, get_write_ptr(tt::CBIndex::c_0));
        noc_async_read_barrier();
    }
}
