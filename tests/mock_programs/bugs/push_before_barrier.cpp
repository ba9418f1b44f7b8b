// Planted bug: pushes a tile whose noc_async_read has not been waited for.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t addr = get_arg_val<uint32_t>(0);
    constexpr auto args = TensorAccessorArgs<0>();
    const auto buf = TensorAccessor(args, addr, 2048);
    cb_reserve_back(tt::CBIndex::c_0, 1);
    noc_async_read_page(0, buf, get_write_ptr(tt::CBIndex::c_0));
    cb_push_back(tt::CBIndex::c_0, 1);
}
