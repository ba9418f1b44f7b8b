// tt-build mock SDK: host layout conversion between row-major matrices and 32x32 tiles.
//   tilize_nfaces:    row-major (m x n) -> tiles in row-major tile order, each tile as four 16x16
//                     faces (top-left, top-right, bottom-left, bottom-right), row-major inside a face.
//   tilize_swizzled:  the same without faces (each tile row-major 32x32).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tt_mock_tilize {
inline void check_shape(std::size_t size, std::uint32_t m, std::uint32_t n, const char* what) {
    if (m % 32 != 0 || n % 32 != 0 || static_cast<std::size_t>(m) * n != size) {
        throw std::invalid_argument(std::string(what) + ": shape " + std::to_string(m) + "x" + std::to_string(n) +
                                    " must be multiples of 32 and match the data size " + std::to_string(size));
    }
}
// offset inside the tiled buffer of element (r, c) of an (m x n) row-major matrix
inline std::size_t tiled_offset(std::uint32_t r, std::uint32_t c, std::uint32_t n, bool faces) {
    const std::size_t tile = static_cast<std::size_t>(r / 32) * (n / 32) + c / 32;
    const std::uint32_t tr = r % 32, tc = c % 32;
    std::size_t in_tile;
    if (faces) {
        const std::uint32_t face = (tr / 16) * 2 + tc / 16;
        in_tile = face * 256u + (tr % 16) * 16u + tc % 16;
    } else {
        in_tile = tr * 32u + tc;
    }
    return tile * 1024 + in_tile;
}
template <typename T>
std::vector<T> convert(const std::vector<T>& input, std::uint32_t m, std::uint32_t n, bool faces, bool to_tiles,
                       const char* what) {
    check_shape(input.size(), m, n, what);
    std::vector<T> out(input.size());
    for (std::uint32_t r = 0; r < m; ++r) {
        for (std::uint32_t c = 0; c < n; ++c) {
            const std::size_t rm = static_cast<std::size_t>(r) * n + c;
            const std::size_t tl = tiled_offset(r, c, n, faces);
            if (to_tiles) {
                out[tl] = input[rm];
            } else {
                out[rm] = input[tl];
            }
        }
    }
    return out;
}
}  // namespace tt_mock_tilize

template <typename T>
std::vector<T> tilize_nfaces(const std::vector<T>& input, std::uint32_t m, std::uint32_t n) {
    return tt_mock_tilize::convert(input, m, n, true, true, "tilize_nfaces");
}
template <typename T>
std::vector<T> untilize_nfaces(const std::vector<T>& input, std::uint32_t m, std::uint32_t n) {
    return tt_mock_tilize::convert(input, m, n, true, false, "untilize_nfaces");
}
template <typename T>
std::vector<T> tilize_swizzled(const std::vector<T>& input, std::uint32_t m, std::uint32_t n) {
    return tt_mock_tilize::convert(input, m, n, false, true, "tilize_swizzled");
}
template <typename T>
std::vector<T> untilize_swizzled(const std::vector<T>& input, std::uint32_t m, std::uint32_t n) {
    return tt_mock_tilize::convert(input, m, n, false, false, "untilize_swizzled");
}
