// tt-build mock SDK: data-movement kernel API (runs on the mock's CPU executors).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "hostdevcommon/common_values.hpp"
#include "tt_mock/kernel_common.h"
#include "api/tensor/tensor_accessor.h"
#include "api/tensor/tensor_accessor_args.h"

inline constexpr std::uint8_t noc_index = NOC_INDEX;

// Programmable core types (as in the device's core_config.h).
enum ProgrammableCoreType {
    TENSIX = 0,
    ACTIVE_ETH = 1,
    IDLE_ETH = 2,
    DRAM = 3,
    COUNT = 4,
};
inline constexpr std::uint32_t NOC_UNICAST_WRITE_VC = 1;
inline constexpr std::uint32_t NOC_MULTICAST_WRITE_VC = 4;
inline constexpr std::uint32_t NOC_MAX_BURST_SIZE = 8192;

// ---- address generators -----------------------------------------------------------------------
template <bool DRAM>
struct InterleavedAddrGen {
    std::uint32_t bank_base_address;
    std::uint32_t page_size;
    std::uint64_t get_noc_addr(const std::uint32_t id, const std::uint32_t offset = 0,
                               std::uint8_t /*noc*/ = noc_index) const {
        return tt_mock::interleaved_noc_addr(DRAM, bank_base_address, page_size, id, offset);
    }
};

template <bool DRAM, std::uint32_t tile_hw = 1024>
struct InterleavedAddrGenFast {
    std::uint32_t bank_base_address;
    std::uint32_t page_size;
    DataFormat data_format;
    std::uint64_t get_noc_addr(const std::uint32_t id, const std::uint32_t offset = 0,
                               std::uint8_t /*noc*/ = noc_index) const {
        return tt_mock::interleaved_noc_addr(DRAM, bank_base_address, page_size, id, offset);
    }
};

template <bool DRAM>
struct InterleavedPow2AddrGenFast {
    std::uint32_t bank_base_address;
    std::uint32_t log_base_2_of_page_size;
    std::uint64_t get_noc_addr(const std::uint32_t id, const std::uint32_t offset = 0,
                               std::uint8_t /*noc*/ = noc_index) const {
        return tt_mock::interleaved_noc_addr(DRAM, bank_base_address, 1u << log_base_2_of_page_size, id, offset);
    }
};

namespace tt_mock {
template <typename AddrGen>
constexpr std::uint32_t page_size_of(const AddrGen& g) {
    if constexpr (requires { g.get_aligned_page_size(); }) {
        return g.get_aligned_page_size();
    } else if constexpr (requires { g.page_size; }) {
        return g.page_size;
    } else {
        return 1u << g.log_base_2_of_page_size;
    }
}
}  // namespace tt_mock

// ---- NOC addresses ------------------------------------------------------------------------------
inline std::uint64_t get_noc_addr(std::uint32_t noc_x, std::uint32_t noc_y, std::uint32_t addr,
                                  std::uint8_t /*noc*/ = noc_index) {
    return tt_mock::g_api->local_noc_addr(noc_x, noc_y, addr);
}
inline std::uint64_t get_noc_addr(std::uint32_t addr, std::uint8_t /*noc*/ = noc_index) {
    const std::uint32_t xy = tt_mock::g_api->my_noc_xy();
    return tt_mock::g_api->local_noc_addr(xy & 0xffff, xy >> 16, addr);
}
template <typename AddrGen, typename = decltype(std::declval<const AddrGen&>().get_noc_addr(0u))>
inline std::uint64_t get_noc_addr(const std::uint32_t id, const AddrGen& addrgen, std::uint32_t offset = 0,
                                  std::uint8_t noc = noc_index) {
    return addrgen.get_noc_addr(id, offset, noc);
}

inline std::uint32_t get_absolute_logical_x() { return tt_mock::g_api->my_logical_xy() & 0xffff; }
inline std::uint32_t get_absolute_logical_y() { return tt_mock::g_api->my_logical_xy() >> 16; }
inline std::uint32_t get_relative_logical_x() { return get_absolute_logical_x(); }
inline std::uint32_t get_relative_logical_y() { return get_absolute_logical_y(); }

// ---- raw transfers ------------------------------------------------------------------------------
template <std::uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true>
inline void noc_async_read(std::uint64_t src_noc_addr, std::uint32_t dst_local_l1_addr, std::uint32_t size,
                           std::uint8_t /*noc*/ = noc_index, std::uint32_t /*read_req_vc*/ = NOC_UNICAST_WRITE_VC) {
    tt_mock::g_api->noc_read(src_noc_addr, dst_local_l1_addr, size);
}

template <std::uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true, bool posted = false>
inline void noc_async_write(std::uint32_t src_local_l1_addr, std::uint64_t dst_noc_addr, std::uint32_t size,
                            std::uint8_t /*noc*/ = noc_index, std::uint32_t /*vc*/ = NOC_UNICAST_WRITE_VC) {
    tt_mock::g_api->noc_write(src_local_l1_addr, dst_noc_addr, size);
}

inline void noc_async_read_barrier(std::uint8_t /*noc*/ = noc_index) { tt_mock::g_api->noc_read_barrier(); }
inline void noc_async_write_barrier(std::uint8_t /*noc*/ = noc_index) { tt_mock::g_api->noc_write_barrier(); }
inline void noc_async_writes_flushed(std::uint8_t /*noc*/ = noc_index) { tt_mock::g_api->noc_writes_flushed(); }
inline void noc_async_posted_writes_flushed(std::uint8_t /*noc*/ = noc_index) {
    tt_mock::g_api->noc_writes_flushed();
}
inline void noc_async_full_barrier(std::uint8_t /*noc*/ = noc_index) {
    tt_mock::g_api->noc_read_barrier();
    tt_mock::g_api->noc_write_barrier();
}

// ---- page transfers -----------------------------------------------------------------------------
template <typename AddrGen, bool enable_noc_tracing = true>
FORCE_INLINE void noc_async_read_page(const std::uint32_t id, const AddrGen& addrgen, std::uint32_t dst_local_l1_addr,
                                      std::uint32_t offset = 0, std::uint8_t noc = noc_index) {
    const std::uint32_t page_size = tt_mock::page_size_of(addrgen);
    noc_async_read(addrgen.get_noc_addr(id, offset, noc), dst_local_l1_addr, page_size - offset, noc);
}

template <typename AddrGen, bool enable_noc_tracing = true, bool posted = false>
FORCE_INLINE void noc_async_write_page(const std::uint32_t id, const AddrGen& addrgen, std::uint32_t src_local_l1_addr,
                                       std::uint32_t size = 0, std::uint32_t offset = 0, std::uint8_t noc = noc_index) {
    const std::uint32_t page_size = tt_mock::page_size_of(addrgen);
    noc_async_write(src_local_l1_addr, addrgen.get_noc_addr(id, offset, noc), size ? size : page_size - offset, noc);
}

template <bool DRAM, std::uint32_t tile_hw>
[[deprecated("Use <typename AddrGen> noc_async_read_page instead.")]]
FORCE_INLINE void noc_async_read_tile(const std::uint32_t id, const InterleavedAddrGenFast<DRAM, tile_hw>& addrgen,
                                      std::uint32_t dst_local_l1_addr, std::uint32_t offset = 0,
                                      std::uint8_t noc = noc_index) {
    noc_async_read_page(id, addrgen, dst_local_l1_addr, offset, noc);
}
template <bool DRAM>
[[deprecated("Use <typename AddrGen> noc_async_read_page instead.")]]
FORCE_INLINE void noc_async_read_tile(const std::uint32_t id, const InterleavedAddrGen<DRAM>& addrgen,
                                      std::uint32_t dst_local_l1_addr, std::uint32_t offset = 0,
                                      std::uint8_t noc = noc_index) {
    noc_async_read_page(id, addrgen, dst_local_l1_addr, offset, noc);
}
template <typename DSpec>
[[deprecated("Use <typename AddrGen> noc_async_read_page instead.")]]
FORCE_INLINE void noc_async_read_tile(const std::uint32_t id, const TensorAccessor<DSpec>& addrgen,
                                      std::uint32_t dst_local_l1_addr, std::uint32_t offset = 0,
                                      std::uint8_t noc = noc_index) {
    noc_async_read_page(id, addrgen, dst_local_l1_addr, offset, noc);
}
template <bool DRAM, std::uint32_t tile_hw>
[[deprecated("Use <typename AddrGen> noc_async_write_page instead.")]]
FORCE_INLINE void noc_async_write_tile(const std::uint32_t id, const InterleavedAddrGenFast<DRAM, tile_hw>& addrgen,
                                       std::uint32_t src_local_l1_addr, std::uint8_t noc = noc_index) {
    noc_async_write_page(id, addrgen, src_local_l1_addr, addrgen.page_size, 0, noc);
}
template <bool DRAM>
[[deprecated("Use <typename AddrGen> noc_async_write_page instead.")]]
FORCE_INLINE void noc_async_write_tile(const std::uint32_t id, const InterleavedAddrGen<DRAM>& addrgen,
                                       std::uint32_t src_local_l1_addr, std::uint8_t noc = noc_index) {
    noc_async_write_page(id, addrgen, src_local_l1_addr, addrgen.page_size, 0, noc);
}
template <typename DSpec>
[[deprecated("Use <typename AddrGen> noc_async_write_page instead.")]]
FORCE_INLINE void noc_async_write_tile(const std::uint32_t id, const TensorAccessor<DSpec>& addrgen,
                                       std::uint32_t src_local_l1_addr, std::uint8_t noc = noc_index) {
    noc_async_write_page(id, addrgen, src_local_l1_addr, addrgen.get_aligned_page_size(), 0, noc);
}

// ---- semaphores (L1 words of this core) -----------------------------------------------------------
// The value of a semaphore is an L1 word: kernels read and write it through the pointer, as on the
// device. noc_semaphore_set / noc_semaphore_wait go through the runtime so that it can count them
// and report a wait that can never be satisfied as a deadlock naming the semaphore.
template <ProgrammableCoreType type = ProgrammableCoreType::TENSIX>
FORCE_INLINE std::uintptr_t get_semaphore(std::uint32_t semaphore_id) {
    static_assert(type == ProgrammableCoreType::TENSIX, "the mock models Tensix cores only");
    return tt_mock::g_api->semaphore_addr(semaphore_id);
}
FORCE_INLINE void noc_semaphore_set(volatile tt_l1_ptr std::uint32_t* sem_addr, std::uint32_t val) {
    tt_mock::g_api->semaphore_set(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(sem_addr)), val);
}
FORCE_INLINE void noc_semaphore_wait(volatile tt_l1_ptr std::uint32_t* sem_addr, std::uint32_t val) {
    tt_mock::g_api->semaphore_wait(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(sem_addr)), val, 0);
}
FORCE_INLINE void noc_semaphore_wait_min(volatile tt_l1_ptr std::uint32_t* sem_addr, std::uint32_t val) {
    tt_mock::g_api->semaphore_wait(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(sem_addr)), val, 1);
}

template <bool posted = false>
FORCE_INLINE void noc_semaphore_inc(std::uint64_t addr, std::uint32_t incr, std::uint8_t noc_id = noc_index,
                                    std::uint8_t /*vc*/ = NOC_UNICAST_WRITE_VC) {
    tt_mock::g_api->noc_atomic_inc(addr, incr, 1, static_cast<std::uint32_t>(noc_id) << 8);
}
template <bool posted = false>
FORCE_INLINE void noc_semaphore_inc_multicast(std::uint64_t addr, std::uint32_t incr, std::uint32_t num_dests,
                                              std::uint8_t noc_id = noc_index,
                                              std::uint8_t /*vc*/ = NOC_MULTICAST_WRITE_VC) {
    tt_mock::g_api->noc_atomic_inc(addr, incr, num_dests, tt_mock::kNocMcast | (static_cast<std::uint32_t>(noc_id) << 8));
}
inline void noc_semaphore_set_remote(std::uint32_t src_local_l1_addr, std::uint64_t dst_noc_addr,
                                     std::uint8_t noc = noc_index) {
    tt_mock::g_api->noc_write_ex(src_local_l1_addr, dst_noc_addr, 4, 1,
                                 tt_mock::kNocSemaphore | (static_cast<std::uint32_t>(noc) << 8));
}
inline void noc_semaphore_set_multicast(std::uint32_t src_local_l1_addr, std::uint64_t dst_noc_addr_multicast,
                                        std::uint32_t num_dests, bool /*linked*/ = false, std::uint8_t noc = noc_index,
                                        std::uint8_t /*vc*/ = NOC_MULTICAST_WRITE_VC) {
    tt_mock::g_api->noc_write_ex(src_local_l1_addr, dst_noc_addr_multicast, 4, num_dests,
                                 tt_mock::kNocMcast | tt_mock::kNocSemaphore | (static_cast<std::uint32_t>(noc) << 8));
}
inline void noc_semaphore_set_multicast_loopback_src(std::uint32_t src_local_l1_addr,
                                                     std::uint64_t dst_noc_addr_multicast, std::uint32_t num_dests,
                                                     bool /*linked*/ = false, std::uint8_t noc = noc_index) {
    tt_mock::g_api->noc_write_ex(src_local_l1_addr, dst_noc_addr_multicast, 4, num_dests,
                                 tt_mock::kNocMcast | tt_mock::kNocLoopback | tt_mock::kNocSemaphore |
                                     (static_cast<std::uint32_t>(noc) << 8));
}

// ---- multicast --------------------------------------------------------------------------------
// A multicast writes the same bytes to the same L1 address of every Tensix core of a rectangle of NOC
// coordinates. On NOC 0 the start corner is the top-left one (start <= end), on NOC 1 the
// bottom-right one (start >= end). The non-loopback variants do not write the sender even when it lies
// in the rectangle; num_dests counts the cores written.
FORCE_INLINE std::uint64_t get_noc_multicast_addr(std::uint32_t noc_x_start, std::uint32_t noc_y_start,
                                                  std::uint32_t noc_x_end, std::uint32_t noc_y_end, std::uint32_t addr,
                                                  std::uint8_t /*noc*/ = noc_index) {
    const std::uint64_t local = tt_mock::g_api->local_noc_addr(0, 0, addr);  // an arena pointer becomes an L1 offset
    return tt_mock::noc_mcast_addr(noc_x_start, noc_y_start, noc_x_end, noc_y_end, local);
}

template <std::uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1>
inline void noc_async_write_multicast(std::uint32_t src_local_l1_addr, std::uint64_t dst_noc_addr_multicast,
                                      std::uint32_t size, std::uint32_t num_dests, bool /*linked*/ = false,
                                      std::uint8_t noc = noc_index, std::uint8_t /*vc*/ = NOC_MULTICAST_WRITE_VC) {
    tt_mock::g_api->noc_write_ex(src_local_l1_addr, dst_noc_addr_multicast, size, num_dests,
                                 tt_mock::kNocMcast | (static_cast<std::uint32_t>(noc) << 8));
}
template <bool enable_noc_tracing = true>
FORCE_INLINE void noc_async_write_multicast_one_packet(std::uint32_t src_local_l1_addr,
                                                       std::uint64_t dst_noc_addr_multicast, std::uint32_t size,
                                                       std::uint32_t num_dests, bool /*linked*/ = false,
                                                       std::uint8_t noc = noc_index) {
    tt_mock::g_api->noc_write_ex(src_local_l1_addr, dst_noc_addr_multicast, size, num_dests,
                                 tt_mock::kNocMcast | (static_cast<std::uint32_t>(noc) << 8));
}
inline void noc_async_write_multicast_loopback_src(std::uint32_t src_local_l1_addr,
                                                   std::uint64_t dst_noc_addr_multicast, std::uint32_t size,
                                                   std::uint32_t num_dests, bool /*linked*/ = false,
                                                   std::uint8_t noc = noc_index) {
    tt_mock::g_api->noc_write_ex(src_local_l1_addr, dst_noc_addr_multicast, size, num_dests,
                                 tt_mock::kNocMcast | tt_mock::kNocLoopback | (static_cast<std::uint32_t>(noc) << 8));
}

// Waits until every atomic (noc_semaphore_inc) this core issued has completed.
FORCE_INLINE void noc_async_atomic_barrier(std::uint8_t /*noc_idx*/ = noc_index) {
    tt_mock::g_api->noc_atomic_barrier();
}

// ---- banks ---------------------------------------------------------------------------------------
// NOC address of an offset inside DRAM bank `bank_id` (DRAM) or inside the L1 of the worker core
// that is L1 bank `bank_id` (row-major over the compute grid).
template <bool DRAM>
FORCE_INLINE std::uint64_t get_noc_addr_from_bank_id(std::uint32_t bank_id, std::uint32_t bank_address_offset,
                                                     std::uint8_t /*noc*/ = noc_index) {
    return tt_mock::g_api->bank_noc_addr(DRAM ? 1u : 0u, bank_id, bank_address_offset);
}

// ---- this core's NOC coordinates (my_x[noc], my_y[noc]) -------------------------------------------
namespace tt_mock {
struct NocCoordinate {
    bool y;
    std::uint8_t operator[](std::uint32_t /*noc*/) const {
        const std::uint32_t xy = g_api->my_noc_xy();
        return static_cast<std::uint8_t>(y ? (xy >> 16) : (xy & 0xffff));
    }
};
}  // namespace tt_mock
inline constexpr tt_mock::NocCoordinate my_x{false};
inline constexpr tt_mock::NocCoordinate my_y{true};
