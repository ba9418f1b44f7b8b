// tt-build mock SDK: packing DST tiles into circular buffers.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
// Packer ReLU applied to every value packed from DST until reconfigured.
enum class ReluType : std::uint8_t {
    NO_RELU = 0,
    ZERO_RELU,           // x < 0 -> 0
    MIN_THRESHOLD_RELU,  // x < threshold -> 0
    MAX_THRESHOLD_RELU,  // x < 0 -> 0, x > threshold -> threshold
};

// ReLU mode + 16-bit threshold (a bfloat16 bit pattern in the mock).
struct ReluConfig {
    static constexpr ReluConfig none() { return {ReluType::NO_RELU}; }
    static constexpr ReluConfig zero() { return {ReluType::ZERO_RELU}; }
    static constexpr ReluConfig min_threshold(std::uint32_t t) { return {ReluType::MIN_THRESHOLD_RELU, t}; }
    static constexpr ReluConfig max_threshold(std::uint32_t t) { return {ReluType::MAX_THRESHOLD_RELU, t}; }
    static constexpr ReluConfig from_packed(std::uint32_t packed) {
        return {static_cast<ReluType>(packed & 0x3), (packed >> 16) & 0xFFFF};
    }
    constexpr ReluType get_mode() const { return mode; }
    constexpr std::uint32_t get_threshold() const { return threshold; }

private:
    constexpr ReluConfig(ReluType m, std::uint32_t t = 0) : mode(m), threshold(t) {}
    ReluType mode = ReluType::NO_RELU;
    std::uint32_t threshold = 0;
};

ALWI void pack_relu_config(const ReluConfig& config) {
    tt_mock_compute(tt_mock::kOpPackRelu, static_cast<std::uint32_t>(config.get_mode()), config.get_threshold() & 0xFFFF);
}

// Packer L1 accumulation: while enabled, pack_tile adds DST to the CB tile it overwrites.
ALWI void pack_reconfig_l1_acc(const std::uint32_t l1_acc_en) { tt_mock_compute(tt_mock::kOpPackL1Acc, l1_acc_en); }
ALWI void pack_init(std::uint32_t ocb, std::uint32_t /*call_line*/ = __builtin_LINE()) {
    tt_mock_compute(tt_mock::kOpReconfig, ocb, 0xffffffffu, 0xffffffffu, 0xffffffffu);
}
template <bool out_of_order_output = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_tile(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t output_tile_index = 0) {
    tt_mock_compute(tt_mock::kOpPackTile, ifrom_dst, icb, output_tile_index, out_of_order_output ? 1u : 0u);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_block(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t ntiles) {
    for (std::uint32_t i = 0; i < ntiles; ++i) {
        tt_mock_compute(tt_mock::kOpPackTile, ifrom_dst + i, icb, 0, 0);
    }
}
}  // namespace ckernel
