// tt-build mock SDK: TensorAccessor — page id -> NOC address for interleaved DRAM / L1 tensors.
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/tensor/tensor_accessor_args.h"
#include "api/tensor/tensor_binding_token.h"

namespace tt_mock {
// Interleaved placement: page p lives in bank p % nbanks at bank_base + (p / nbanks) * aligned_page_size.
inline std::uint64_t interleaved_noc_addr(bool is_dram, std::uint32_t bank_base, std::uint32_t page_size,
                                          std::uint32_t page_id, std::uint32_t offset) {
    const std::uint32_t align = is_dram ? kDevice.dram_alignment : kDevice.l1_alignment;
    const std::uint32_t aligned = (page_size + align - 1) / align * align;
    if (is_dram) {
        const std::uint32_t bank = page_id % kDevice.num_dram_banks;
        const std::uint64_t addr = static_cast<std::uint64_t>(bank_base) +
                                   static_cast<std::uint64_t>(page_id / kDevice.num_dram_banks) * aligned + offset;
        return noc_xy_addr(bank, 0, addr);
    }
    constexpr std::uint32_t l1_banks = kDevice.grid_x * kDevice.grid_y;  // every core of the grid
    const std::uint32_t bank = page_id % l1_banks;
    const std::uint64_t addr =
        static_cast<std::uint64_t>(bank_base) + static_cast<std::uint64_t>(page_id / l1_banks) * aligned + offset;
    return noc_xy_addr(bank % kDevice.grid_x + kWorkerNocOffset, bank / kDevice.grid_x + kWorkerNocOffset, addr);
}
}  // namespace tt_mock

template <typename DSpec>
struct TensorAccessor {
    DSpec dspec_instance{};
    std::size_t bank_base_address = 0;
    std::uint32_t aligned_page_size = 0;

    TensorAccessor(const DSpec& args, const std::size_t bank_base_address_in,
                   const std::uint32_t page_size_in = DSpec::AlignedPageSize)
        : dspec_instance(args), bank_base_address(bank_base_address_in), aligned_page_size(page_size_in) {
        if (aligned_page_size == 0) {
            aligned_page_size = dspec_instance.get_aligned_page_size();
        }
    }

    // From a Metal 2.0 binding token: the accessor's compile-time args start at CTA_OFFSET, its base
    // address is the common runtime argument at byte offset ADDR_CRTA_OFFSET (runtime accessor fields,
    // if any, follow it).
    template <std::uint32_t CTA_OFFSET, std::uint32_t ADDR_CRTA_OFFSET>
    TensorAccessor(tensor_accessor::TensorBindingToken<CTA_OFFSET, ADDR_CRTA_OFFSET>)
        : TensorAccessor(DSpec{}, static_cast<std::size_t>(
                                      get_common_arg_val<std::uint32_t>(ADDR_CRTA_OFFSET / sizeof(std::uint32_t)))) {
        static_assert(ADDR_CRTA_OFFSET % sizeof(std::uint32_t) == 0,
                      "TensorBindingToken: ADDR_CRTA_OFFSET must be 4-byte aligned");
    }

    const DSpec& dspec() const { return dspec_instance; }
    std::uint32_t get_aligned_page_size() const { return aligned_page_size; }
    static constexpr bool is_dram = DSpec::is_dram;

    std::uint64_t get_noc_addr(const std::uint32_t page_id, const std::uint32_t offset = 0,
                               std::uint8_t /*noc*/ = NOC_INDEX) const {
        return tt_mock::interleaved_noc_addr(DSpec::is_dram, static_cast<std::uint32_t>(bank_base_address),
                                             aligned_page_size, page_id, offset);
    }
};

template <typename DSpec>
TensorAccessor(const DSpec&, std::size_t) -> TensorAccessor<DSpec>;
template <typename DSpec>
TensorAccessor(const DSpec&, std::size_t, std::uint32_t) -> TensorAccessor<DSpec>;
template <std::uint32_t CTA_OFFSET, std::uint32_t ADDR_CRTA_OFFSET>
TensorAccessor(tensor_accessor::TensorBindingToken<CTA_OFFSET, ADDR_CRTA_OFFSET>)
    -> TensorAccessor<TensorAccessorArgs<CTA_OFFSET, ADDR_CRTA_OFFSET / sizeof(std::uint32_t) + 1>>;
