// Planted bug (object API): pushes a DataflowBuffer entry whose Noc read has not been waited for.
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
    noc.async_read(buf, dfb, dfb.get_entry_size(), {.page_id = 0}, {.offset_bytes = 0});
    dfb.push_back(1);
}
