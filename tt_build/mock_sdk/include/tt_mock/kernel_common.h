// tt-build mock SDK: pieces shared by data-movement and compute kernels (internal header).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "api/compile_time_args.h"
#include "tt_mock/kernel_abi.h"

#ifndef FORCE_INLINE
#define FORCE_INLINE inline __attribute__((always_inline))
#endif
#ifndef ALWI
#define ALWI inline __attribute__((always_inline))
#endif
#ifndef tt_l1_ptr
#define tt_l1_ptr
#endif
#ifndef tt_reg_ptr
#define tt_reg_ptr
#endif
#ifndef NOC_INDEX
#define NOC_INDEX 0
#endif

// Tensix data formats (numeric values as on the device).
enum class DataFormat : std::uint8_t {
    Float32 = 0,
    Float16 = 1,
    Bfp8 = 2,
    Bfp4 = 3,
    Tf32 = 4,
    Float16_b = 5,
    Bfp8_b = 6,
    Bfp4_b = 7,
    Int32 = 8,
    UInt16 = 9,
    Lf8 = 10,
    Bfp2 = 11,
    Int8 = 14,
    Bfp2_b = 15,
    UInt32 = 24,
    UInt8 = 30,
    Invalid = 0xff,
};

// The device this kernel is compiled for (the mock's kernel compiler defines ARCH_WORMHOLE or
// ARCH_BLACKHOLE after the device the program runs on).
namespace tt_mock {
#if defined(ARCH_BLACKHOLE)
inline constexpr const ArchGeometry& kDevice = kBlackhole;
#else
inline constexpr const ArchGeometry& kDevice = kWormholeB0;
#endif
}  // namespace tt_mock

inline constexpr std::uint32_t NUM_CIRCULAR_BUFFERS = tt_mock::kDevice.num_cbs;
// Alignment of DRAM and L1 buffer pages (and NOC transfers into them) on the device.
#define DRAM_ALIGNMENT (tt_mock::kDevice.dram_alignment)
#define L1_ALIGNMENT (tt_mock::kDevice.l1_alignment)

// Per-CB formats and tile sizes of the program this kernel was compiled for. The mock's kernel
// compiler defines TT_MOCK_CB_FORMATS / TT_MOCK_CB_TILE_SIZES (NUM_CIRCULAR_BUFFERS entries each)
// like tt-metal's JIT generates its data-format tables, so get_tile_size() / get_dataformat() are
// constant expressions.
#ifndef TT_MOCK_CB_FORMATS
#define TT_MOCK_CB_FORMATS 0xff
#endif
#ifndef TT_MOCK_CB_TILE_SIZES
#define TT_MOCK_CB_TILE_SIZES 0
#endif
#define DATA_FORMATS_DEFINED 1
namespace tt_mock {
inline constexpr std::uint8_t cb_formats[NUM_CIRCULAR_BUFFERS] = {TT_MOCK_CB_FORMATS};
inline constexpr std::uint32_t cb_tile_sizes[NUM_CIRCULAR_BUFFERS] = {TT_MOCK_CB_TILE_SIZES};
}  // namespace tt_mock

// The kernel's per-CB descriptor tables, which tt-metal's JIT generates into chlkc_descriptors.h
// (formats as DataFormat values, 0xff: no CB; ttnn's dataflow helpers read the tile dims too). The mock
// converts every CB in its own format and has only 32x32 tiles of four 16x16 faces, so unpacker and
// packer tables agree.
inline constexpr std::uint8_t unpack_src_format[NUM_CIRCULAR_BUFFERS] = {TT_MOCK_CB_FORMATS};
inline constexpr std::uint8_t unpack_dst_format[NUM_CIRCULAR_BUFFERS] = {TT_MOCK_CB_FORMATS};
inline constexpr std::uint8_t pack_src_format[NUM_CIRCULAR_BUFFERS] = {TT_MOCK_CB_FORMATS};
inline constexpr std::uint8_t pack_dst_format[NUM_CIRCULAR_BUFFERS] = {TT_MOCK_CB_FORMATS};
inline constexpr std::uint32_t unpack_tile_size[NUM_CIRCULAR_BUFFERS] = {TT_MOCK_CB_TILE_SIZES};
namespace tt_mock {
template <std::uint8_t V>
constexpr std::array<std::uint8_t, NUM_CIRCULAR_BUFFERS> filled() {
    std::array<std::uint8_t, NUM_CIRCULAR_BUFFERS> a{};
    for (auto& x : a) x = V;
    return a;
}
}  // namespace tt_mock
inline constexpr auto unpack_tile_r_dim = tt_mock::filled<32>();
inline constexpr auto unpack_tile_c_dim = tt_mock::filled<32>();
inline constexpr auto pack_tile_r_dim = tt_mock::filled<32>();
inline constexpr auto pack_tile_c_dim = tt_mock::filled<32>();
inline constexpr auto unpack_tile_num_faces = tt_mock::filled<4>();
inline constexpr auto pack_tile_num_faces = tt_mock::filled<4>();
inline constexpr auto unpack_tile_face_r_dim = tt_mock::filled<16>();
inline constexpr auto pack_tile_face_r_dim = tt_mock::filled<16>();
inline constexpr auto unpack_partial_face = tt_mock::filled<0>();
inline constexpr auto pack_partial_face = tt_mock::filled<0>();
inline constexpr auto unpack_narrow_tile = tt_mock::filled<0>();
inline constexpr auto pack_narrow_tile = tt_mock::filled<0>();

constexpr inline std::int32_t get_tile_size(const std::int32_t operand) {
    return static_cast<std::int32_t>(tt_mock::cb_tile_sizes[operand]);
}
constexpr inline std::uint32_t get_tile_hw(const std::int32_t /*operand*/) { return 32 * 32; }
constexpr inline std::uint32_t get_tile_num_faces(const std::int32_t /*operand*/) { return 4; }
constexpr inline DataFormat get_dataformat(const std::int32_t operand) {
    return static_cast<DataFormat>(tt_mock::cb_formats[operand]);
}

// Data-movement kernels get the runtime-argument calls from here; compute kernels from
// api/compute/common.h only (as in 0.81, where tile_move_copy.h and the SFPU headers do not include it).
#ifndef COMPILE_FOR_TRISC
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
#endif

// Circular-buffer calls: global for data-movement kernels, ckernel:: for compute kernels (as on the device).
#define TT_MOCK_CB_FUNCS                                                                                      \
    inline void cb_reserve_back(std::int32_t operand, std::int32_t num_pages) {                              \
        tt_mock::g_api->cb_reserve_back(operand, num_pages);                                                 \
    }                                                                                                        \
    inline void cb_push_back(std::int32_t operand, std::int32_t num_pages) {                                 \
        tt_mock::g_api->cb_push_back(operand, num_pages);                                                    \
    }                                                                                                        \
    inline void cb_wait_front(std::int32_t operand, std::int32_t num_pages) {                                \
        tt_mock::g_api->cb_wait_front(operand, num_pages);                                                   \
    }                                                                                                        \
    inline void cb_pop_front(std::int32_t operand, std::int32_t num_pages) {                                 \
        tt_mock::g_api->cb_pop_front(operand, num_pages);                                                    \
    }                                                                                                        \
    inline bool cb_pages_reservable_at_back(std::int32_t operand, std::int32_t num_pages) {                  \
        return tt_mock::g_api->cb_pages_reservable_at_back(operand, num_pages);                              \
    }                                                                                                        \
    inline bool cb_pages_available_at_front(std::int32_t operand, std::int32_t num_pages) {                  \
        return tt_mock::g_api->cb_pages_available_at_front(operand, num_pages);                              \
    }

#ifdef COMPILE_FOR_TRISC
namespace ckernel {
TT_MOCK_CB_FUNCS
}
#else
TT_MOCK_CB_FUNCS
#endif

inline std::uint32_t get_write_ptr(std::uint32_t operand) { return tt_mock::g_api->get_write_ptr(operand); }
inline std::uint32_t get_read_ptr(std::uint32_t operand) { return tt_mock::g_api->get_read_ptr(operand); }

// The device-side CB interface record of this processor (LocalCBInterface, kernel_abi.h), by reference
// as on the device: assigning its read / write pointer moves this processor's FIFO pointer.
inline LocalCBInterface& get_local_cb_interface(std::uint32_t cb_id) {
    return *tt_mock::g_api->local_cb_interface(static_cast<std::int32_t>(cb_id));
}

namespace tt {
// c_32..c_63 exist on Blackhole only (NUM_CIRCULAR_BUFFERS).
enum CBIndex : std::uint8_t {
    c_0 = 0, c_1, c_2, c_3, c_4, c_5, c_6, c_7, c_8, c_9, c_10, c_11, c_12, c_13, c_14, c_15,
    c_16, c_17, c_18, c_19, c_20, c_21, c_22, c_23, c_24, c_25, c_26, c_27, c_28, c_29, c_30, c_31,
    c_32, c_33, c_34, c_35, c_36, c_37, c_38, c_39, c_40, c_41, c_42, c_43, c_44, c_45, c_46, c_47,
    c_48, c_49, c_50, c_51, c_52, c_53, c_54, c_55, c_56, c_57, c_58, c_59, c_60, c_61, c_62, c_63,
};
}  // namespace tt
