// tt-build mock SDK: umbrella of the basic compute-kernel API.
#pragma once

#include "api/compute/common_globals.h"
#include "llk_math_common_api.h"
#include "llk_unpack_common_api.h"
#include "api/compute/cb_api.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/reg_api.h"
#include "api/compute/pack.h"
#include "api/compute/reconfig_data_format.h"
#include "api/compute/src_order.h"
#include "api/debug/assert.h"

// Runtime arguments of a compute kernel: in 0.81 these reach a compute kernel only through this header.
inline std::uint32_t get_arg_addr(int arg_idx) { return tt_mock::g_api->arg_addr(arg_idx); }
inline std::uint32_t get_common_arg_addr(int arg_idx) { return tt_mock::g_api->common_arg_addr(arg_idx); }
template <typename T>
FORCE_INLINE T get_arg_val(int arg_idx) {
    static_assert(sizeof(T) == 4, "only 4-byte runtime arguments are supported");
    return *reinterpret_cast<volatile tt_l1_ptr T*>(static_cast<std::uintptr_t>(get_arg_addr(arg_idx)));
}
template <typename T>
FORCE_INLINE T get_common_arg_val(int arg_idx) {
    static_assert(sizeof(T) == 4, "only 4-byte runtime arguments are supported");
    return *reinterpret_cast<volatile tt_l1_ptr T*>(static_cast<std::uintptr_t>(get_common_arg_addr(arg_idx)));
}

using namespace ckernel;
