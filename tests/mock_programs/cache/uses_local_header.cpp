// Includes a local header; the kernel cache key must change when the header changes.
#include "api/dataflow/dataflow_api.h"
#include "local_value.h"

void kernel_main() {
    static_assert(LOCAL_VALUE >= 0, "LOCAL_VALUE comes from local_value.h");
}
