// Planted bug (object API): a compute kernel pops a DataflowBuffer entry it never waited for.
#include "api/compute/common.h"
#include "api/dataflow/dataflow_buffer.h"

void kernel_main() {
    DataflowBuffer in(tt::CBIndex::c_0);
    in.pop_front(1);
}
