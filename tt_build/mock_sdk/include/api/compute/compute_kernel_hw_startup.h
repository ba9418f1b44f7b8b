// tt-build mock SDK: one-time compute hardware configuration.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"
#include "api/compute/src_order.h"

namespace ckernel {
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t ocb) {
    tt_mock_compute(tt_mock::kOpHwStartup, icb0, icb1, ocb);
}
ALWI void compute_kernel_hw_startup(std::uint32_t icb0, std::uint32_t ocb) {
    tt_mock_compute(tt_mock::kOpHwStartup, icb0, icb0, ocb);
}
}  // namespace ckernel
