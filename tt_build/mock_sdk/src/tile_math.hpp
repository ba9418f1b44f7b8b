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
// Math fidelity (docs/mock_sdk.md, "Math fidelity"): the FPU multiplier takes at most 5 significant
// bits of its SrcA operand and 7 of its SrcB operand per fidelity phase; phase p uses SrcA's high part
// (implicit 1 + 4 mantissa bits) when p is even, its next 5 mantissa bits when p is odd, and SrcB's high
// part (implicit 1 + 6 mantissa bits) for p < 2, its next 4 mantissa bits otherwise. A kernel runs
// phases 0 .. phases-1 (LoFi 1, HiFi2 2, HiFi3 3, HiFi4 4) and DST accumulates their products.
// Mantissa bits below these (fp32 operands past TF32's) reach no phase.
int fidelity_phases(int math_fidelity);
// One FPU product a * b with a in SrcA and b in SrcB (ELWMUL), over `phases` fidelity phases.
float fpu_mul(float srca, float srcb, int phases);
// c += a * (transpose_b ? b^T : b), all 32x32 row-major, over `phases` fidelity phases (MVMUL: the
// first operand, in0, is unpacked to SrcB, the second, in1, to SrcA).
void matmul_acc(const float* a, const float* b, bool transpose_b, float* c, int phases);
// Packer ReLU of one value: mode 1 = zero, 2 = min threshold, 3 = max threshold (0 = none).
inline float pack_relu(std::uint32_t mode, float threshold, float x) {
    switch (mode) {
        case 1: return x < 0.0f ? 0.0f : x;
        case 2: return x < threshold ? 0.0f : x;
        case 3: return x < 0.0f ? 0.0f : (x > threshold ? threshold : x);
        default: return x;
    }
}
// In-place unary op on a DST tile: `param` is the float argument of the original ops (exp scale, fill
// value), p0/p1 the float-bit arguments of the others. False for an unknown op.
bool sfpu(std::uint32_t op, float* tile, float param, std::uint32_t p0 = 0, std::uint32_t p1 = 0,
          std::uint32_t p2 = 0);
// out = a <op> b element-wise (tt_mock::SfpuBinaryOp); out may alias a or b. False for an unknown op.
bool sfpu_binary(std::uint32_t op, const float* a, const float* b, float* out);
// Element-wise op on three DST tiles into out (out may be any of them). False for an unknown op.
bool sfpu_ternary(std::uint32_t op, const float* a, const float* b, const float* c, float* out);
// a <op> b with ckernel::EltwiseBinaryType numbering (ELWMUL, ELWDIV, ELWADD, ELWSUB); false otherwise.
// ELWMUL multiplies over `phases` fidelity phases (a in SrcA, b in SrcB); add and sub use none.
bool binary_op(std::uint32_t op, float a, float b, float& out, int phases);
// FPU reduce of one tile into DST (PoolType SUM=0 AVG=1 MAX=2, ReduceDim ROW=0 COL=1 SCALAR=2).
// SUM/AVG: products with the scaler tile (the input in SrcA, the scaler in SrcB, over `phases` fidelity
// phases) summed in fp32 and added to DST; MAX: the largest value times the
// power of two of the scaler's exponent (GMPOOL uses only the exponent), max'ed with DST unless `fresh`.
// ROW results land in column 0, COL results in row 0, SCALAR in [0][0]. False for an unknown pool/dim.
bool reduce(std::uint32_t pool, std::uint32_t dim, const float* in, const float* scaler, float* dst, bool fresh,
            int phases);
// b broadcast over a: BroadcastType COL=1 (b's column 0), ROW=2 (b's row 0), SCALAR=3 (b[0][0]), NONE=0.
bool bcast_operand(std::uint32_t bcast, const float* b, float* out);
// out = in^T (32x32 row-major).
void transpose(const float* in, float* out);
// Bytes per element of a row-major (untilized) CB format; 0 when the mock does not support it.
std::uint32_t datum_bytes(tt::DataFormat format);
// One element of row-major data in `format` <-> fp32 (bf16: round to nearest even).
float load_datum(const std::uint8_t* p, tt::DataFormat format);
void store_datum(float v, tt::DataFormat format, std::uint8_t* p);

}  // namespace tt::tt_metal::tt_mock_impl::tile_math
