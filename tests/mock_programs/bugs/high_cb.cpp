// Round-trips one tile through CB 63 (Blackhole has 64 circular buffers): the per-CB tables the
// kernel is compiled with must cover it.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    static_assert(NUM_CIRCULAR_BUFFERS == 64, "compiled for Blackhole");
    static_assert(get_tile_size(tt::CBIndex::c_63) == 2048, "CB 63 holds bf16 tiles");
    cb_reserve_back(tt::CBIndex::c_63, 1);
    cb_push_back(tt::CBIndex::c_63, 1);
    cb_wait_front(tt::CBIndex::c_63, 1);
    cb_pop_front(tt::CBIndex::c_63, 1);
}
