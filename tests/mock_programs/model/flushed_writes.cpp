// Device-time model probe: 64 page writes to DRAM, each followed by noc_async_writes_flushed() (which waits
// for the write to leave L1, not to arrive), then one barrier (this RISC's NOC).
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t addr = get_arg_val<uint32_t>(0);
    constexpr auto args = TensorAccessorArgs<0>();
    const auto buf = TensorAccessor(args, addr, 2048);
    cb_reserve_back(tt::CBIndex::c_1, 4);
    const uint32_t l1 = get_write_ptr(tt::CBIndex::c_1);
    for (uint32_t i = 0; i < 64; ++i) {
        noc_async_write_page(i % 4, buf, l1 + (i % 4) * 2048);
        noc_async_writes_flushed();
    }
    noc_async_write_barrier();
}
