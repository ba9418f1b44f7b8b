// tt-build mock SDK: DataflowBuffer — an object view of one circular buffer, for data-movement and
// compute kernels.
//
// On Wormhole/Blackhole a DataflowBuffer is a circular buffer: reserve_back / push_back /
// wait_front / pop_front are cb_reserve_back / cb_push_back / cb_wait_front / cb_pop_front on its
// id, with the same blocking FIFO semantics and the same protocol checks in the mock. In
// data-movement kernels it is also a local-L1 endpoint of class Noc (write pointer as destination,
// read pointer as source).
#pragma once

#include <cstdint>

#include "api/debug/assert.h"
#include "api/dataflow/dfb_access.h"
#include "tt_mock/kernel_common.h"
#ifndef COMPILE_FOR_TRISC
#include "api/dataflow/noc.h"
#endif

class DataflowBuffer {
public:
    using DFBInterface = LocalCBInterface;

    DataflowBuffer(std::uint16_t logical_dfb_id) : logical_dfb_id_(logical_dfb_id) {}

    std::uint16_t get_id() const { return logical_dfb_id_; }

    // Size of one entry (page) in bytes.
    std::uint32_t get_entry_size() const { return tt_mock::g_api->cb_page_size(logical_dfb_id_); }
    std::uint32_t get_stride_size() const { return get_entry_size(); }
    // Number of entries the buffer holds.
    std::uint32_t get_total_num_entries() const { return tt_mock::g_api->cb_num_pages(logical_dfb_id_); }
    std::uint32_t get_total_size_bytes() const { return get_total_num_entries() * get_entry_size(); }
    // One ring per buffer on Wormhole/Blackhole: the local and ring-span views are the whole buffer.
    std::uint32_t get_local_num_entries() const { return get_total_num_entries(); }
    std::uint32_t get_local_size_bytes() const { return get_total_size_bytes(); }
    std::uint32_t get_ring_span_bytes() const { return get_total_size_bytes(); }
    std::uint32_t get_ring_span_num_entries() const { return get_total_num_entries(); }
    std::uint16_t get_producer_share() const { return 1; }
    std::uint16_t get_consumer_share() const { return 1; }
    std::uint16_t get_producer_stride_tiles() const { return 1; }
    std::uint16_t get_consumer_stride_tiles() const { return 1; }

    void reserve_back(std::uint16_t num_entries) { tt_mock::g_api->cb_reserve_back(logical_dfb_id_, num_entries); }
    void push_back(std::uint16_t num_entries) { tt_mock::g_api->cb_push_back(logical_dfb_id_, num_entries); }
    void wait_front(std::uint16_t num_entries) { tt_mock::g_api->cb_wait_front(logical_dfb_id_, num_entries); }
    void pop_front(std::uint16_t num_entries) { tt_mock::g_api->cb_pop_front(logical_dfb_id_, num_entries); }

#ifndef COMPILE_FOR_TRISC
    bool pages_reservable_at_back(std::int32_t num_pages) const {
        return tt_mock::g_api->cb_pages_reservable_at_back(logical_dfb_id_, num_pages);
    }
    bool pages_available_at_front(std::int32_t num_pages) const {
        return tt_mock::g_api->cb_pages_available_at_front(logical_dfb_id_, num_pages);
    }
#endif

    // Tile descriptors of the buffer's data format (32x32 tiles of four 16x16 faces).
    constexpr std::uint32_t get_tile_size() const { return tt_mock::cb_tile_sizes[logical_dfb_id_]; }
    constexpr std::uint32_t get_tile_r_dim() const { return 32; }
    constexpr std::uint32_t get_tile_c_dim() const { return 32; }
    constexpr std::uint32_t get_tile_hw() const { return get_tile_r_dim() * get_tile_c_dim(); }
    constexpr std::uint32_t get_tile_num_faces() const { return 4; }
    constexpr std::uint32_t get_face_r_dim() const { return 16; }
    constexpr std::uint32_t get_partial_face() const { return 0; }
    constexpr std::uint32_t get_narrow_tile() const { return 0; }
    constexpr std::uint32_t get_num_faces_r_dim() const { return 2; }
    constexpr std::uint32_t get_num_faces_c_dim() const { return 2; }
    constexpr DataFormat get_dataformat() const { return ::get_dataformat(logical_dfb_id_); }

#ifdef COMPILE_FOR_TRISC
    // Byte address of tile `tile_index` counted from the read pointer.
    std::uint32_t get_tile_address(std::uint32_t tile_index) {
        return get_read_ptr() + tile_index * get_entry_size();
    }
    template <typename T = std::uint32_t>
    T read_tile_value(std::uint32_t tile_index, std::uint32_t element_offset) {
        static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4, "read_tile_value: T must be 1, 2, or 4 bytes");
        const std::uintptr_t addr = get_tile_address(tile_index);
        return reinterpret_cast<volatile T*>(addr)[element_offset];
    }
#endif

    // Nothing to drain on Wormhole/Blackhole.
    void finish() {}

#ifndef COMPILE_FOR_TRISC
    void write_barrier(const Noc& noc) const { noc.async_write_barrier(); }
#endif

    std::uint32_t get_write_ptr() const { return tt_mock::g_api->get_write_ptr(logical_dfb_id_); }
    std::uint32_t get_read_ptr() const { return tt_mock::g_api->get_read_ptr(logical_dfb_id_); }

private:
    std::uint16_t logical_dfb_id_;
};

#ifndef COMPILE_FOR_TRISC
template <>
inline constexpr bool noc_zero_l1_endpoint_v<DataflowBuffer> = true;

template <>
struct noc_traits_t<DataflowBuffer> {
    using src_args_type = DataflowBufferArgs;
    using dst_args_type = DataflowBufferArgs;
    template <Noc::AddressType address_type>
    static std::uint32_t src_addr(const DataflowBuffer& src, const Noc&, const src_args_type& args) {
        static_assert(address_type == Noc::AddressType::LOCAL_L1,
                      "DataflowBuffer without mcast range can only be used as L1 source");
        return src.get_read_ptr() + args.offset_bytes;
    }
    template <Noc::AddressType address_type>
    static std::uint32_t dst_addr(const DataflowBuffer& dst, const Noc&, const dst_args_type& args) {
        static_assert(address_type == Noc::AddressType::LOCAL_L1,
                      "DataflowBuffer without mcast range can only be used as L1 destination");
        return dst.get_write_ptr() + args.offset_bytes;
    }
};
#endif
