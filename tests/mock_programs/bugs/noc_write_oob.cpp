// Planted bug (object API): writes DataflowBuffer entries to pages 0..4 of a 4-page DRAM buffer.
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/dataflow_buffer.h"
#include "api/dataflow/noc.h"
#include "api/tensor/noc_traits.h"

void kernel_main() {
    const uint32_t addr = get_arg_val<uint32_t>(0);
    constexpr auto args = TensorAccessorArgs<0>();
    const auto buf = TensorAccessor(args, addr);
    Noc noc;
    DataflowBuffer dfb(tt::CBIndex::c_0);
    dfb.reserve_back(1);
    dfb.push_back(1);
    dfb.wait_front(1);
    for (uint32_t page = 0; page <= 4; ++page) {
        noc.async_write(dfb, buf, dfb.get_entry_size(), {}, {.page_id = page});
        noc.async_write_barrier();
    }
    dfb.pop_front(1);
}
