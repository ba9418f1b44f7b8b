// Planted bug: reads a DRAM page into L1 past the end of CB 0.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t addr = get_arg_val<uint32_t>(0);
    constexpr auto args = TensorAccessorArgs<0>();
    const auto buf = TensorAccessor(args, addr, 2048);
    cb_reserve_back(tt::CBIndex::c_0, 1);
    noc_async_read_page(0, buf, get_write_ptr(tt::CBIndex::c_0) + 3 * 2048);
    noc_async_read_barrier();
}
