// tt-build mock SDK: data-format reconfiguration. The mock converts formats per CB on every
// unpack/pack, so these only validate the CB ids.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"
#include "api/compute/src_order.h"

namespace ckernel {
namespace tt_mock_detail {
ALWI void check_cbs(std::uint32_t a, std::uint32_t b = 0xffffffffu, std::uint32_t c = 0xffffffffu,
                    std::uint32_t d = 0xffffffffu) {
    tt_mock_compute(tt_mock::kOpReconfig, a, b, c, d);
}
}  // namespace tt_mock_detail

template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_data_format(const std::uint32_t icb0_new_operand, const std::uint32_t icb1_new_operand) {
    tt_mock_detail::check_cbs(icb0_new_operand, icb1_new_operand);
}
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_data_format(const std::uint32_t icb0_old_operand, const std::uint32_t icb0_new_operand,
                               const std::uint32_t icb1_old_operand, const std::uint32_t icb1_new_operand) {
    tt_mock_detail::check_cbs(icb0_old_operand, icb0_new_operand, icb1_old_operand, icb1_new_operand);
}
ALWI void reconfig_data_format_srca(const std::uint32_t srca_new_operand) { tt_mock_detail::check_cbs(srca_new_operand); }
ALWI void reconfig_data_format_srca(const std::uint32_t srca_old_operand, const std::uint32_t srca_new_operand) {
    tt_mock_detail::check_cbs(srca_old_operand, srca_new_operand);
}
ALWI void reconfig_data_format_srcb(const std::uint32_t srcb_new_operand) { tt_mock_detail::check_cbs(srcb_new_operand); }
ALWI void reconfig_data_format_srcb(const std::uint32_t srcb_old_operand, const std::uint32_t srcb_new_operand) {
    tt_mock_detail::check_cbs(srcb_old_operand, srcb_new_operand);
}
template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const std::uint32_t new_cb_id) {
    tt_mock_detail::check_cbs(new_cb_id);
}
template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const std::uint32_t old_cb_id, const std::uint32_t new_cb_id) {
    tt_mock_detail::check_cbs(old_cb_id, new_cb_id);
}
}  // namespace ckernel
