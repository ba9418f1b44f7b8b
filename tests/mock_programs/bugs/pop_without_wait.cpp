// Planted bug: pops a tile it never waited for.
#include "api/compute/common.h"

void kernel_main() { cb_pop_front(tt::CBIndex::c_0, 1); }
