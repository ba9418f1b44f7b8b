// Planted bug (livelock): polls a CB that never fills.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    while (!cb_pages_available_at_front(tt::CBIndex::c_0, 1)) {
    }
}
