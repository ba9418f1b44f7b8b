// DRAM -> L1 buffer -> DRAM through the L1 buffer's own address (as tt-metal's loopback example does):
// reads the input's pages into the L1 buffer of this core, adds 1 to every 16-bit word through a
// pointer to it, writes the pages to the output, and prints a line with DEVICE_PRINT.
//
// Runtime args: input address, output address, L1 buffer address, pages. Compile-time args: DRAM banks.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"
#include "api/debug/device_print.h"

void kernel_main() {
    const uint32_t in_addr = get_arg_val<uint32_t>(0);
    const uint32_t out_addr = get_arg_val<uint32_t>(1);
    const uint32_t l1_addr = get_arg_val<uint32_t>(2);
    const uint32_t pages = get_arg_val<uint32_t>(3);
    constexpr uint32_t banks = get_compile_time_arg_val(0);
    constexpr uint32_t page_bytes = 2048;
    for (uint32_t i = 0; i < pages; ++i) {
        noc_async_read(get_noc_addr_from_bank_id<true>(i % banks, in_addr + (i / banks) * page_bytes),
                       l1_addr + i * page_bytes, page_bytes);
    }
    noc_async_read_barrier();
    volatile tt_l1_ptr uint16_t* words = reinterpret_cast<volatile tt_l1_ptr uint16_t*>(static_cast<uintptr_t>(l1_addr));
    for (uint32_t j = 0; j < pages * page_bytes / 2; ++j) {
        words[j] = static_cast<uint16_t>(words[j] + 1);
    }
    for (uint32_t i = 0; i < pages; ++i) {
        noc_async_write(l1_addr + i * page_bytes,
                        get_noc_addr_from_bank_id<true>(i % banks, out_addr + (i / banks) * page_bytes), page_bytes);
    }
    noc_async_write_barrier();
    DEVICE_PRINT("core ({}, {}) moved {} pages, {{done}}", my_x[0], my_y[noc_index], pages);
}
