// get_local_cb_interface() is a reference to this processor's CB record: assigning fifo_rd_ptr the
// start of a page moves the read pointer (checked through get_read_ptr), assigning it an address
// inside a page is the planted bug. Were the move lost, the pop without a wait below would fail first.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    LocalCBInterface& cb = get_local_cb_interface(tt::CBIndex::c_0);
    const uint32_t start = get_read_ptr(tt::CBIndex::c_0);
    cb.fifo_rd_ptr = start + cb.fifo_page_size;
    if (get_read_ptr(tt::CBIndex::c_0) != start + 2048 || get_local_cb_interface(tt::CBIndex::c_0).fifo_rd_ptr !=
                                                                 start + 2048) {
        cb_pop_front(tt::CBIndex::c_0, 1);
    }
    cb.fifo_rd_ptr = start + 16;
    cb_wait_front(tt::CBIndex::c_0, 1);
}
