// tt-build mock SDK: compute-kernel basics (internal helpers live in namespace tt_mock).
#pragma once

#include <cstdint>

#ifndef COMPILE_FOR_TRISC
#define COMPILE_FOR_TRISC 1
#endif
#include "ckernel.h"
#include "tt_mock/kernel_common.h"

// The mock runs unpack, math and pack of a compute kernel on one executor, so all three thread
// selectors expand their argument.
#ifndef MATH
#define MATH(x) x
#endif
#ifndef PACK
#define PACK(x) x
#endif
#ifndef UNPACK
#define UNPACK(x) x
#endif

#ifndef DST_ACCUM_MODE
#define DST_ACCUM_MODE false
#endif

namespace ckernel {

enum class VectorMode : std::uint8_t { None = 0, R = 1, C = 2, RC = 4, RC_custom = 6, Invalid = 0xff };

enum class ReduceDim : std::uint8_t { REDUCE_ROW, REDUCE_COL, REDUCE_SCALAR };
enum class PoolType : std::uint8_t { SUM, AVG, MAX, MIN };
enum class DataCopyType : std::uint8_t { A2D, B2D };
enum class EltwiseBinaryType : std::uint8_t { ELWMUL, ELWDIV, ELWADD, ELWSUB, ELWLESS };
enum class EltwiseBinaryReuseDestType { NONE = 0, DEST_TO_SRCA = 1, DEST_TO_SRCB = 2 };
enum class BroadcastType : std::uint8_t { NONE = 0x0, COL = 0x1, ROW = 0x2, SCALAR = 0x3 };
enum class RoundingMode : std::uint8_t { None = 0, Trunc = 1, Floor = 2 };
enum class DstRoundingMode : std::uint8_t { Default = 0, NearestEven = 1 };
enum class MathFidelity : std::uint8_t { LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4 };
// DST_SYNC_MODE (the JIT defines it as DstSync::SyncFull or DstSync::SyncHalf from dst_full_sync_en)
enum class DstSync : std::uint8_t { SyncHalf = 0, SyncFull = 1 };

constexpr std::uint32_t TILE_R_DIM = 32;
constexpr std::uint32_t TILE_C_DIM = 32;

namespace p_sfpu {
inline constexpr std::uint16_t kCONST_1_FP16B = 0x3F80;
}

// Internal helpers of the mock's compute headers (not part of the device API).
inline void tt_mock_compute(std::uint32_t op, std::uint32_t a = 0, std::uint32_t b = 0, std::uint32_t c = 0,
                            std::uint32_t d = 0, std::uint32_t e = 0, float f = 0.0f) {
    tt_mock::g_api->compute(op, a, b, c, d, e, f);
}

}  // namespace ckernel

namespace tt_mock {
inline void sfpu_init(std::uint32_t op) { g_api->compute(kOpSfpuInit, op, 0, 0, 0, 0, 1.0f); }
// op on DST tile idst; p0/p1: float bits of the op's scalar arguments
inline void sfpu(std::uint32_t op, std::uint32_t idst, std::uint32_t p0 = 0, std::uint32_t p1 = 0) {
    g_api->compute(kOpSfpu, op, idst, p0, p1, 0, 1.0f);
}
inline void sfpu_binary(std::uint32_t op, std::uint32_t idst0, std::uint32_t idst1, std::uint32_t odst) {
    g_api->compute(kOpSfpuBinary, op, idst0, idst1, odst, 0, 0.0f);
}
inline std::uint32_t float_bits(float f) {
    union {
        float f;
        std::uint32_t u;
    } v{f};
    return v.u;
}
// A device API function whose effect the mock cannot emulate: the call fails at run time with this text.
[[noreturn]] inline void not_implemented(const char* name) {
    char msg[160] = "not implemented in the mock: ";
    std::uint32_t i = 29;
    for (const char* p = name; *p != '\0' && i + 1 < sizeof msg; ++p) msg[i++] = *p;
    msg[i] = '\0';
    g_api->fail(msg);
}
}  // namespace tt_mock
