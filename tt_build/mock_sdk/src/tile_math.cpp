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

namespace {
inline float keep_bits(float x, std::uint32_t mask) {
    std::uint32_t u;
    std::memcpy(&u, &x, 4);
    u &= mask;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
// The parts of an operand the multiplier sees (fp32 bit masks; sign and exponent always kept).
// SrcA: phase 0/2 the implicit 1 and mantissa bits 22..19, phase 1/3 mantissa bits 18..14.
inline float srca_hi(float x) { return keep_bits(x, 0xfff80000u); }
inline float srca_lo(float x) { return x - keep_bits(x, 0xfff83fffu); }
// SrcB: phase 0/1 the implicit 1 and mantissa bits 22..17, phase 2/3 mantissa bits 16..13.
inline float srcb_hi(float x) { return keep_bits(x, 0xfffe0000u); }
inline float srcb_lo(float x) { return x - keep_bits(x, 0xfffe1fffu); }

// c += a * b (32x32 row-major), fp32 accumulation
void matmul_plain(const float* a, const float* b, float* c) {
    for (int i = 0; i < 32; ++i) {
        float acc[32];
        for (int j = 0; j < 32; ++j) acc[j] = c[i * 32 + j];
        for (int k = 0; k < 32; ++k) {
            const float av = a[i * 32 + k];
            if (av == 0.0f) continue;
            const float* brow = b + k * 32;
            for (int j = 0; j < 32; ++j) acc[j] += av * brow[j];
        }
        for (int j = 0; j < 32; ++j) c[i * 32 + j] = acc[j];
    }
}
}  // namespace

int fidelity_phases(int math_fidelity) { return std::clamp(math_fidelity, 1, 4); }

float fpu_mul(float srca, float srcb, int phases) {
    // phase p: SrcA part (p odd: low, else high) x SrcB part (p >= 2: low, else high)
    const float ah = srca_hi(srca), bh = srcb_hi(srcb);
    switch (phases) {
        case 1: return ah * bh;
        case 2: return ah * bh + srca_lo(srca) * bh;
        case 3: return ah * bh + srca_lo(srca) * bh + ah * srcb_lo(srcb);
        default: return (ah + srca_lo(srca)) * (bh + srcb_lo(srcb));
    }
}

void matmul_acc(const float* a, const float* b, bool transpose_b, float* c, int phases) {
    // a (in0) is the SrcB operand, b (in1) the SrcA operand. The phases' products are exact in fp32
    // (at most 10 x 8 significant bits), so the sum over phases is formed per operand pair:
    //   LoFi  a_hi @ b_hi,   HiFi2 a_hi @ (b_hi + b_lo),   HiFi3 HiFi2 + a_lo @ b_hi,
    //   HiFi4 (a_hi + a_lo) @ (b_hi + b_lo).
    alignas(64) float ah[1024];
    alignas(64) float al[1024];
    alignas(64) float bh[1024];
    alignas(64) float bf[1024];
    for (int i = 0; i < 1024; ++i) {
        ah[i] = srcb_hi(a[i]);
        al[i] = srcb_lo(a[i]);
    }
    for (int r = 0; r < 32; ++r) {
        for (int k = 0; k < 32; ++k) {
            const float v = transpose_b ? b[k * 32 + r] : b[r * 32 + k];  // element (r, k) of the operand
            bh[r * 32 + k] = srca_hi(v);
            bf[r * 32 + k] = phases >= 2 ? bh[r * 32 + k] + srca_lo(v) : bh[r * 32 + k];
        }
    }
    if (phases >= 4) {
        for (int i = 0; i < 1024; ++i) ah[i] += al[i];
    }
    matmul_plain(ah, bf, c);
    if (phases == 3) matmul_plain(al, bh, c);
}

namespace {
inline float from_bits(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
template <class F>
inline void each(float* t, F f) {
    for (int i = 0; i < 1024; ++i) t[i] = f(t[i]);
}
}  // namespace

bool sfpu(std::uint32_t op, float* t, float param, std::uint32_t p0, std::uint32_t p1, std::uint32_t p2) {
    const float a = from_bits(p0), b = from_bits(p1), c = from_bits(p2);
    switch (op) {
        case tt_mock::kSfpuExp: each(t, [&](float x) { return std::exp(x * param); }); return true;
        case tt_mock::kSfpuRelu: each(t, [](float x) { return x > 0.0f ? x : 0.0f; }); return true;
        case tt_mock::kSfpuFill: each(t, [&](float) { return param; }); return true;
        case tt_mock::kSfpuRecip: each(t, [](float x) { return 1.0f / x; }); return true;
        case tt_mock::kSfpuSqrt: each(t, [](float x) { return std::sqrt(x); }); return true;
        case tt_mock::kSfpuNeg: each(t, [](float x) { return -x; }); return true;
        case tt_mock::kSfpuAbs: each(t, [](float x) { return std::fabs(x); }); return true;
        case tt_mock::kSfpuSigmoid: each(t, [](float x) { return 1.0f / (1.0f + std::exp(-x)); }); return true;
        case tt_mock::kSfpuTanh: each(t, [](float x) { return std::tanh(x); }); return true;
        case tt_mock::kSfpuGelu: each(t, [](float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678f)); }); return true;
        case tt_mock::kSfpuLog: each(t, [](float x) { return std::log(x); }); return true;
        case tt_mock::kSfpuSquare: each(t, [](float x) { return x * x; }); return true;
        case tt_mock::kSfpuExp2: each(t, [](float x) { return std::exp2(x); }); return true;
        case tt_mock::kSfpuRsqrt: each(t, [](float x) { return 1.0f / std::sqrt(x); }); return true;
        case tt_mock::kSfpuSilu: each(t, [](float x) { return x / (1.0f + std::exp(-x)); }); return true;
        case tt_mock::kSfpuErf: each(t, [](float x) { return std::erf(x); }); return true;
        case tt_mock::kSfpuErfc: each(t, [](float x) { return std::erfc(x); }); return true;
        case tt_mock::kSfpuReluMax: each(t, [&](float x) { return std::max(std::min(x, a), 0.0f); }); return true;
        case tt_mock::kSfpuReluMin: each(t, [&](float x) { return std::max(x, a); }); return true;
        case tt_mock::kSfpuPower: each(t, [&](float x) { return std::pow(x, a); }); return true;
        case tt_mock::kSfpuClamp: each(t, [&](float x) { return std::min(std::max(x, a), b); }); return true;
        case tt_mock::kSfpuUnaryMax: each(t, [&](float x) { return std::max(x, a); }); return true;
        case tt_mock::kSfpuUnaryMin: each(t, [&](float x) { return std::min(x, a); }); return true;
        case tt_mock::kSfpuRpow: each(t, [&](float x) { return std::pow(a, x); }); return true;
        case tt_mock::kSfpuRdiv: each(t, [&](float x) { return a / x; }); return true;
        case tt_mock::kSfpuAddScalar: each(t, [&](float x) { return x + a; }); return true;
        case tt_mock::kSfpuSubScalar: each(t, [&](float x) { return x - a; }); return true;
        case tt_mock::kSfpuMulScalar: each(t, [&](float x) { return x * a; }); return true;
        case tt_mock::kSfpuDivScalar: each(t, [&](float x) { return x / a; }); return true;
        case tt_mock::kSfpuRsubScalar: each(t, [&](float x) { return a - x; }); return true;
        case tt_mock::kSfpuSin: each(t, [](float x) { return std::sin(x); }); return true;
        case tt_mock::kSfpuCos: each(t, [](float x) { return std::cos(x); }); return true;
        case tt_mock::kSfpuTan: each(t, [](float x) { return std::tan(x); }); return true;
        case tt_mock::kSfpuGeluTanh:
            each(t, [](float x) { return 0.5f * x * (1.0f + std::tanh(0.7978845608f * (x + 0.044715f * x * x * x))); });
            return true;
        case tt_mock::kSfpuLeakyRelu: each(t, [&](float x) { return x < 0.0f ? a * x : x; }); return true;
        case tt_mock::kSfpuHeaviside: each(t, [&](float x) { return x < 0.0f ? 0.0f : (x > 0.0f ? 1.0f : a); }); return true;
        case tt_mock::kSfpuSign: each(t, [](float x) { return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f); }); return true;
        case tt_mock::kSfpuExpm1: each(t, [](float x) { return std::expm1(x); }); return true;
        case tt_mock::kSfpuLogBase: each(t, [&](float x) { return std::log(x) * a; }); return true;
        case tt_mock::kSfpuSelu: each(t, [&](float x) { return a * (x > 0.0f ? x : b * (std::exp(x) - 1.0f)); }); return true;
        case tt_mock::kSfpuSoftplus:
            each(t, [&](float x) { return x * a > c ? x : b * std::log1p(std::exp(a * x)); });
            return true;
        case tt_mock::kSfpuCbrt: each(t, [](float x) { return std::cbrt(x); }); return true;
        case tt_mock::kSfpuLog1p: each(t, [](float x) { return std::log1p(x); }); return true;
        case tt_mock::kSfpuIdentity: return true;
        case tt_mock::kSfpuTypecast:
            switch (p1) {  // tt::DataFormat values
                case 0: return true;  // Float32
                case 5: each(t, [](float x) { return bf16_to_float(float_to_bf16(x)); }); return true;
                case 1: each(t, [](float x) { return half_to_float(float_to_half(x)); }); return true;
                default: return false;
            }
        default: return false;
    }
}

bool sfpu_binary(std::uint32_t op, const float* a, const float* b, float* out) {
    auto apply = [&](auto f) {
        for (int i = 0; i < 1024; ++i) out[i] = f(a[i], b[i]);
        return true;
    };
    switch (op) {
        case tt_mock::kSfpuBinAdd: return apply([](float x, float y) { return x + y; });
        case tt_mock::kSfpuBinSub: return apply([](float x, float y) { return x - y; });
        case tt_mock::kSfpuBinRsub: return apply([](float x, float y) { return y - x; });
        case tt_mock::kSfpuBinMul: return apply([](float x, float y) { return x * y; });
        case tt_mock::kSfpuBinDiv: return apply([](float x, float y) { return x / y; });
        case tt_mock::kSfpuBinPow: return apply([](float x, float y) { return std::pow(x, y); });
        case tt_mock::kSfpuBinMax: return apply([](float x, float y) { return std::max(x, y); });
        case tt_mock::kSfpuBinMin: return apply([](float x, float y) { return std::min(x, y); });
        case tt_mock::kSfpuBinEq: return apply([](float x, float y) { return x == y ? 1.0f : 0.0f; });
        case tt_mock::kSfpuBinNe: return apply([](float x, float y) { return x != y ? 1.0f : 0.0f; });
        case tt_mock::kSfpuBinLt: return apply([](float x, float y) { return x < y ? 1.0f : 0.0f; });
        case tt_mock::kSfpuBinGt: return apply([](float x, float y) { return x > y ? 1.0f : 0.0f; });
        case tt_mock::kSfpuBinLe: return apply([](float x, float y) { return x <= y ? 1.0f : 0.0f; });
        case tt_mock::kSfpuBinGe: return apply([](float x, float y) { return x >= y ? 1.0f : 0.0f; });
        case tt_mock::kSfpuBinAtan2: return apply([](float x, float y) { return std::atan2(x, y); });
        case tt_mock::kSfpuBinFmod: return apply([](float x, float y) { return std::fmod(x, y); });
        case tt_mock::kSfpuBinRemainder: return apply([](float x, float y) { return x - std::floor(x / y) * y; });
        case tt_mock::kSfpuBinXlogy: return apply([](float x, float y) { return x == 0.0f ? 0.0f : x * std::log(y); });
        case tt_mock::kSfpuBinNextafter: return apply([](float x, float y) { return std::nextafter(x, y); });
        case tt_mock::kSfpuBinMask: return apply([](float x, float y) { return y == 0.0f ? 0.0f : x; });
        default: return false;
    }
}

bool sfpu_ternary(std::uint32_t op, const float* a, const float* b, const float* c, float* out) {
    switch (op) {
        case tt_mock::kSfpuTernWhere:
            for (int i = 0; i < 1024; ++i) out[i] = a[i] != 0.0f ? b[i] : c[i];
            return true;
        default: return false;
    }
}

bool binary_op(std::uint32_t op, float a, float b, float& out, int phases) {
    switch (op) {
        case 0: out = fpu_mul(a, b, phases); return true;  // ELWMUL
        case 1: out = a / b; return true;  // ELWDIV
        case 2: out = a + b; return true;  // ELWADD
        case 3: out = a - b; return true;  // ELWSUB
        default: return false;
    }
}

namespace {
// GMPOOL scales by 2^floor(log2|s|): only the scaler's exponent matters.
inline float exponent_only(float s) {
    if (s == 0.0f || !std::isfinite(s)) return s;
    int e = 0;
    std::frexp(std::fabs(s), &e);
    return std::ldexp(1.0f, e - 1);
}
}  // namespace

bool reduce(std::uint32_t pool, std::uint32_t dim, const float* in, const float* scaler, float* dst, bool fresh,
            int phases) {
    if (pool > 2 || dim > 2) return false;
    // The scaler tile holds the factor in the first row of its faces (ttnn's generate_reduce_scaler);
    // the mock reads element [0][0].
    const float s = scaler[0];
    if (pool == 2) {  // MAX
        // REDUCE_SCALAR pools twice (rows, then the column of row results): the scaler applies twice
        const float k = dim == 2 ? exponent_only(s) * exponent_only(s) : exponent_only(s);
        auto put = [&](int idx, float v) { dst[idx] = fresh ? v * k : std::max(dst[idx], v * k); };
        if (dim == 0) {
            for (int r = 0; r < 32; ++r) {
                float m = in[r * 32];
                for (int c = 1; c < 32; ++c) m = std::max(m, in[r * 32 + c]);
                put(r * 32, m);
            }
        } else if (dim == 1) {
            for (int c = 0; c < 32; ++c) {
                float m = in[c];
                for (int r = 1; r < 32; ++r) m = std::max(m, in[r * 32 + c]);
                put(c, m);
            }
        } else {
            float m = in[0];
            for (int i = 1; i < 1024; ++i) m = std::max(m, in[i]);
            put(0, m);
        }
        return true;
    }
    // SUM / AVG: a matrix-engine product (GAPOOL) of the input (SrcA) with the scaler (SrcB) over the
    // fidelity phases, accumulated in fp32
    alignas(64) float x[1024];
    for (int i = 0; i < 1024; ++i) x[i] = fpu_mul(in[i], s, phases);
    in = x;
    if (dim == 0) {
        for (int r = 0; r < 32; ++r) {
            float acc = 0.0f;
            for (int c = 0; c < 32; ++c) acc += in[r * 32 + c];
            dst[r * 32] += acc;
        }
    } else if (dim == 1) {
        for (int c = 0; c < 32; ++c) {
            float acc = 0.0f;
            for (int r = 0; r < 32; ++r) acc += in[r * 32 + c];
            dst[c] += acc;
        }
    } else {
        float acc = 0.0f;
        for (int r = 0; r < 32; ++r) {
            float row = 0.0f;
            for (int c = 0; c < 32; ++c) row += in[r * 32 + c];
            acc += fpu_mul(row, s, phases);  // REDUCE_SCALAR applies the scaler in both passes (row, then column)
        }
        dst[0] += acc;
    }
    return true;
}

bool bcast_operand(std::uint32_t bcast, const float* b, float* out) {
    switch (bcast) {
        case 0: std::memcpy(out, b, 1024 * sizeof(float)); return true;
        case 1:
            for (int r = 0; r < 32; ++r)
                for (int c = 0; c < 32; ++c) out[r * 32 + c] = b[r * 32];
            return true;
        case 2:
            for (int r = 0; r < 32; ++r) std::memcpy(out + r * 32, b, 32 * sizeof(float));
            return true;
        case 3:
            for (int i = 0; i < 1024; ++i) out[i] = b[0];
            return true;
        default: return false;
    }
}

void transpose(const float* in, float* out) {
    for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 32; ++c) out[c * 32 + r] = in[r * 32 + c];
}

std::uint32_t datum_bytes(tt::DataFormat format) {
    switch (format) {
        case tt::DataFormat::Float16_b:
        case tt::DataFormat::Float16: return 2;
        case tt::DataFormat::Float32: return 4;
        default: return 0;
    }
}

float load_datum(const std::uint8_t* p, tt::DataFormat format) {
    if (format == tt::DataFormat::Float32) {
        float f;
        std::memcpy(&f, p, 4);
        return f;
    }
    std::uint16_t h;
    std::memcpy(&h, p, 2);
    return format == tt::DataFormat::Float16 ? half_to_float(h) : bf16_to_float(h);
}

void store_datum(float v, tt::DataFormat format, std::uint8_t* p) {
    if (format == tt::DataFormat::Float32) {
        std::memcpy(p, &v, 4);
        return;
    }
    const std::uint16_t h = format == tt::DataFormat::Float16 ? float_to_half(v) : float_to_bf16(v);
    std::memcpy(p, &h, 2);
}

}  // namespace tt::tt_metal::tt_mock_impl::tile_math
