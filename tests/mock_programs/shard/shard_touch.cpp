// Reads this core's shard of an L1-sharded buffer through the buffer's L1 address (no NOC transfer):
// prints the first 32-bit word of each slot (the host writes each page's id there) and adds 1 to every
// 16-bit word of the shard in place.
//
// Runtime args: buffer address, slots of one shard.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"
#include "api/debug/device_print.h"

void kernel_main() {
    const uint32_t addr = get_arg_val<uint32_t>(0);
    const uint32_t slots = get_arg_val<uint32_t>(1);
    constexpr uint32_t page_bytes = 2048;
    for (uint32_t s = 0; s < slots; ++s) {
        const uint32_t page = addr + s * page_bytes;
        volatile tt_l1_ptr uint32_t* head = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(static_cast<uintptr_t>(page));
        DEVICE_PRINT("slot {} holds {}", s, head[0]);
        volatile tt_l1_ptr uint16_t* words = reinterpret_cast<volatile tt_l1_ptr uint16_t*>(static_cast<uintptr_t>(page));
        for (uint32_t j = 0; j < page_bytes / 2; ++j) {
            words[j] = static_cast<uint16_t>(words[j] + 1);
        }
    }
}
