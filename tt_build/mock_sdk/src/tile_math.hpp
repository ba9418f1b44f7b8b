// tt-build mock SDK runtime: tile data conversion and tile math.
// DST tiles are kept as 32x32 row-major fp32; CB tiles are in the Tensix tile layout (four 16x16
// faces: top-left, top-right, bottom-left, bottom-right; row-major inside a face).
#pragma once

#include <cstdint>

#include "tt-metalium/tt_mock_host.hpp"

namespace tt::tt_metal::tt_mock_impl::tile_math {

// Converts one CB tile to row-major fp32. False if the format is not supported.
bool unpack_tile(const std::uint8_t* src, tt::DataFormat format, std::uint32_t page_size, float* out);
// Converts a row-major fp32 tile to the CB format (Float16_b: round to nearest even).
bool pack_tile(const float* in, tt::DataFormat format, std::uint32_t page_size, std::uint8_t* dst);
// c += a * (transpose_b ? b^T : b), all 32x32 row-major.
void matmul_acc(const float* a, const float* b, bool transpose_b, float* c);
// Packer ReLU of one value: mode 1 = zero, 2 = min threshold, 3 = max threshold (0 = none).
inline float pack_relu(std::uint32_t mode, float threshold, float x) {
    switch (mode) {
        case 1: return x < 0.0f ? 0.0f : x;
        case 2: return x < threshold ? 0.0f : x;
        case 3: return x < 0.0f ? 0.0f : (x > threshold ? threshold : x);
        default: return x;
    }
}
// In-place unary op on a DST tile. False for an unknown op.
bool sfpu(std::uint32_t op, float* tile, float param);

}  // namespace tt::tt_metal::tt_mock_impl::tile_math
