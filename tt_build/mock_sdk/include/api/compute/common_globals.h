// tt-build mock SDK: compute-kernel basics (internal helpers live in namespace tt_mock).
#pragma once

#include <cstdint>

#ifndef COMPILE_FOR_TRISC
#define COMPILE_FOR_TRISC 1
#endif
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

enum class VectorMode : std::uint8_t { None = 0, R = 1, C = 2, RC = 4, RC_custom = 5, Invalid = 0xff };

enum EltwiseBinaryType : std::uint8_t { ELWMUL, ELWDIV, ELWADD, ELWSUB, ELWLESS };
enum class EltwiseBinaryReuseDestType : std::uint8_t { NONE = 0, DEST_TO_SRCA = 1, DEST_TO_SRCB = 2 };

namespace p_sfpu {
inline constexpr std::uint16_t kCONST_1_FP16B = 0x3F80;
}

inline void tt_mock_compute(std::uint32_t op, std::uint32_t a = 0, std::uint32_t b = 0, std::uint32_t c = 0,
                            std::uint32_t d = 0, std::uint32_t e = 0, float f = 0.0f) {
    tt_mock::g_api->compute(op, a, b, c, d, e, f);
}

}  // namespace ckernel
