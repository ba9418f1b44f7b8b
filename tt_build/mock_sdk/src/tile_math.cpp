// tt-build mock SDK runtime: tile data conversion and tile math.
#include "tile_math.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tt_mock/kernel_abi.h"

namespace tt::tt_metal::tt_mock_impl::tile_math {
namespace {

// position in the face layout of row-major element (r, c)
inline int face_index(int r, int c) { return ((r >> 4) * 2 + (c >> 4)) * 256 + (r & 15) * 16 + (c & 15); }

struct FaceMap {
    int idx[1024];
    FaceMap() {
        for (int r = 0; r < 32; ++r)
            for (int c = 0; c < 32; ++c) idx[r * 32 + c] = face_index(r, c);
    }
};
const FaceMap kFace;

inline float bf16_to_float(std::uint16_t b) {
    const std::uint32_t u = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

inline std::uint16_t float_to_bf16(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu) != 0) return static_cast<std::uint16_t>((u >> 16) | 0x40);
    return static_cast<std::uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

inline float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = (h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ffu, u;
    if (exp == 0) {
        if (mant == 0) {
            u = sign;
        } else {
            exp = 127 - 15 + 1;
            while (!(mant & 0x400u)) {
                mant <<= 1;
                --exp;
            }
            u = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        u = sign | 0x7f800000u | (mant << 13);
    } else {
        u = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

inline std::uint16_t float_to_half(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
    const int exp = static_cast<int>((u >> 23) & 0xff) - 127 + 15;
    std::uint32_t mant = u & 0x7fffffu;
    if (((u >> 23) & 0xff) == 0xff) return static_cast<std::uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0));
    if (exp >= 31) return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (exp <= 0) {
        if (exp < -10) return sign;
        mant |= 0x800000u;
        const int shift = 14 - exp;
        std::uint32_t h = mant >> shift;
        const std::uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) ++h;
        return static_cast<std::uint16_t>(sign | h);
    }
    std::uint32_t h = (static_cast<std::uint32_t>(exp) << 10) | (mant >> 13);
    const std::uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;
    return static_cast<std::uint16_t>(sign | h);
}

}  // namespace

bool unpack_tile(const std::uint8_t* src, tt::DataFormat format, std::uint32_t page_size, float* out) {
    switch (format) {
        case tt::DataFormat::Float16_b: {
            if (page_size < 2048) return false;
            std::uint16_t v[1024];
            std::memcpy(v, src, sizeof v);
            for (int i = 0; i < 1024; ++i) out[i] = bf16_to_float(v[kFace.idx[i]]);
            return true;
        }
        case tt::DataFormat::Float16: {
            if (page_size < 2048) return false;
            std::uint16_t v[1024];
            std::memcpy(v, src, sizeof v);
            for (int i = 0; i < 1024; ++i) out[i] = half_to_float(v[kFace.idx[i]]);
            return true;
        }
        case tt::DataFormat::Float32: {
            if (page_size < 4096) return false;
            float v[1024];
            std::memcpy(v, src, sizeof v);
            for (int i = 0; i < 1024; ++i) out[i] = v[kFace.idx[i]];
            return true;
        }
        default: return false;
    }
}

bool pack_tile(const float* in, tt::DataFormat format, std::uint32_t page_size, std::uint8_t* dst) {
    switch (format) {
        case tt::DataFormat::Float16_b: {
            if (page_size < 2048) return false;
            std::uint16_t v[1024];
            for (int i = 0; i < 1024; ++i) v[kFace.idx[i]] = float_to_bf16(in[i]);
            std::memcpy(dst, v, sizeof v);
            return true;
        }
        case tt::DataFormat::Float16: {
            if (page_size < 2048) return false;
            std::uint16_t v[1024];
            for (int i = 0; i < 1024; ++i) v[kFace.idx[i]] = float_to_half(in[i]);
            std::memcpy(dst, v, sizeof v);
            return true;
        }
        case tt::DataFormat::Float32: {
            if (page_size < 4096) return false;
            float v[1024];
            for (int i = 0; i < 1024; ++i) v[kFace.idx[i]] = in[i];
            std::memcpy(dst, v, sizeof v);
            return true;
        }
        default: return false;
    }
}

void matmul_acc(const float* a, const float* b, bool transpose_b, float* c) {
    alignas(64) float bt[1024];
    const float* bm = b;
    if (transpose_b) {
        for (int r = 0; r < 32; ++r)
            for (int k = 0; k < 32; ++k) bt[k * 32 + r] = b[r * 32 + k];
        bm = bt;
    }
    for (int i = 0; i < 32; ++i) {
        float acc[32];
        for (int j = 0; j < 32; ++j) acc[j] = c[i * 32 + j];
        for (int k = 0; k < 32; ++k) {
            const float av = a[i * 32 + k];
            const float* brow = bm + k * 32;
            for (int j = 0; j < 32; ++j) acc[j] += av * brow[j];
        }
        for (int j = 0; j < 32; ++j) c[i * 32 + j] = acc[j];
    }
}

bool sfpu(std::uint32_t op, float* t, float param) {
    switch (op) {
        case tt_mock::kSfpuExp:
            for (int i = 0; i < 1024; ++i) t[i] = std::exp(t[i] * param);
            return true;
        case tt_mock::kSfpuRelu:
            for (int i = 0; i < 1024; ++i) t[i] = t[i] > 0.0f ? t[i] : 0.0f;
            return true;
        case tt_mock::kSfpuFill:
            for (int i = 0; i < 1024; ++i) t[i] = param;
            return true;
        case tt_mock::kSfpuRecip:
            for (int i = 0; i < 1024; ++i) t[i] = 1.0f / t[i];
            return true;
        case tt_mock::kSfpuSqrt:
            for (int i = 0; i < 1024; ++i) t[i] = std::sqrt(t[i]);
            return true;
        case tt_mock::kSfpuNeg:
            for (int i = 0; i < 1024; ++i) t[i] = -t[i];
            return true;
        case tt_mock::kSfpuAbs:
            for (int i = 0; i < 1024; ++i) t[i] = std::fabs(t[i]);
            return true;
        case tt_mock::kSfpuSigmoid:
            for (int i = 0; i < 1024; ++i) t[i] = 1.0f / (1.0f + std::exp(-t[i]));
            return true;
        case tt_mock::kSfpuTanh:
            for (int i = 0; i < 1024; ++i) t[i] = std::tanh(t[i]);
            return true;
        case tt_mock::kSfpuGelu:
            for (int i = 0; i < 1024; ++i) t[i] = 0.5f * t[i] * (1.0f + std::erf(t[i] * 0.70710678f));
            return true;
        case tt_mock::kSfpuLog:
            for (int i = 0; i < 1024; ++i) t[i] = std::log(t[i]);
            return true;
        case tt_mock::kSfpuSquare:
            for (int i = 0; i < 1024; ++i) t[i] = t[i] * t[i];
            return true;
        default: return false;
    }
}

}  // namespace tt::tt_metal::tt_mock_impl::tile_math
