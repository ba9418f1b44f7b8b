// tt-build mock SDK: data-movement kernel API (runs on the mock's CPU executors).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tt_mock/kernel_common.h"
#include "api/tensor/tensor_accessor.h"
#include "api/tensor/tensor_accessor_args.h"

inline constexpr std::uint8_t noc_index = NOC_INDEX;
inline constexpr std::uint32_t NOC_UNICAST_WRITE_VC = 1;
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

// ---- semaphores (local L1 words) ----------------------------------------------------------------
template <typename T = std::uint32_t>
inline std::uint32_t get_semaphore(std::uint32_t semaphore_id) {
    return tt_mock::g_api->semaphore_addr(semaphore_id);
}
inline void noc_semaphore_set(volatile tt_l1_ptr std::uint32_t* sem_addr, std::uint32_t val) { *sem_addr = val; }
inline void noc_semaphore_wait(volatile tt_l1_ptr std::uint32_t* sem_addr, std::uint32_t val) {
    while (*sem_addr != val) {
        tt_mock::g_api->yield_hint();
    }
}
inline void noc_semaphore_wait_min(volatile tt_l1_ptr std::uint32_t* sem_addr, std::uint32_t val) {
    while (*sem_addr < val) {
        tt_mock::g_api->yield_hint();
    }
}
