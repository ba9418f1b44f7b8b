// tt-build mock SDK: CircularBuffer — an object view of one circular buffer, for data-movement and
// compute kernels. Its calls are cb_reserve_back / cb_push_back / cb_wait_front / cb_pop_front on its
// id, with the same blocking FIFO semantics and the same protocol checks. In data-movement kernels it
// is also an endpoint of class Noc (write pointer as destination, read pointer as source, and a
// multicast destination at its write pointer on every core of a rectangle).
#pragma once

#include <cstdint>

#include "tt_mock/kernel_common.h"
#ifndef COMPILE_FOR_TRISC
#include "api/dataflow/noc.h"
#endif

class CircularBuffer {
public:
    enum class AddrSelector { WRITE_PTR, READ_PTR };

    explicit CircularBuffer(std::uint32_t cb_id) : cb_id_(cb_id) {}

    std::uint32_t get_cb_id() const { return cb_id_; }

    void reserve_back(std::int32_t num_pages) { tt_mock::g_api->cb_reserve_back(static_cast<std::int32_t>(cb_id_), num_pages); }
    void push_back(std::int32_t num_pages) { tt_mock::g_api->cb_push_back(static_cast<std::int32_t>(cb_id_), num_pages); }
    void wait_front(std::int32_t num_pages) { tt_mock::g_api->cb_wait_front(static_cast<std::int32_t>(cb_id_), num_pages); }
    void pop_front(std::int32_t num_pages) { tt_mock::g_api->cb_pop_front(static_cast<std::int32_t>(cb_id_), num_pages); }

#ifdef COMPILE_FOR_TRISC
    // Byte address of tile `tile_index` counted from the read pointer.
    std::uint32_t get_tile_address(std::uint32_t tile_index) {
        return get_read_ptr() + tile_index * tt_mock::g_api->cb_page_size(static_cast<std::int32_t>(cb_id_));
    }
    std::uint32_t read_tile_value(std::uint32_t tile_index, std::uint32_t element_offset) {
        return reinterpret_cast<volatile std::uint32_t*>(static_cast<std::uintptr_t>(get_tile_address(tile_index)))[element_offset];
    }
#else
    std::uint32_t get_tile_size() const { return static_cast<std::uint32_t>(::get_tile_size(static_cast<std::int32_t>(cb_id_))); }
    std::uint32_t get_tile_hw() const { return ::get_tile_hw(static_cast<std::int32_t>(cb_id_)); }
    DataFormat get_dataformat() const { return ::get_dataformat(static_cast<std::int32_t>(cb_id_)); }

    bool pages_reservable_at_back(std::int32_t num_pages) const {
        return tt_mock::g_api->cb_pages_reservable_at_back(static_cast<std::int32_t>(cb_id_), num_pages);
    }
    bool pages_available_at_front(std::int32_t num_pages) const {
        return tt_mock::g_api->cb_pages_available_at_front(static_cast<std::int32_t>(cb_id_), num_pages);
    }
#endif

    std::uint32_t get_write_ptr() const { return tt_mock::g_api->get_write_ptr(static_cast<std::int32_t>(cb_id_)); }
    std::uint32_t get_read_ptr() const { return tt_mock::g_api->get_read_ptr(static_cast<std::int32_t>(cb_id_)); }

private:
    std::uint32_t cb_id_;
};

#ifndef COMPILE_FOR_TRISC

template <CircularBuffer::AddrSelector AddrSel>
struct CircularBufferView {
    const CircularBuffer& cb;
    explicit constexpr CircularBufferView(const CircularBuffer& c) : cb(c) {}
};

template <CircularBuffer::AddrSelector AddrSel>
constexpr auto use(const CircularBuffer& cb) {
    return CircularBufferView<AddrSel>(cb);
}

namespace tt_mock {
// noc_traits_t of a CB endpoint whose local address is `local(endpoint)`.
template <typename Endpoint, std::uint32_t (*Local)(const Endpoint&), std::uint32_t (*LocalSrc)(const Endpoint&)>
struct cb_noc_traits {
    struct src_args_type {
        std::uint32_t offset_bytes{};
    };
    struct dst_args_type {
        std::uint32_t offset_bytes{};
    };
    struct dst_args_mcast_type {
        std::uint32_t noc_x_start{};
        std::uint32_t noc_y_start{};
        std::uint32_t noc_x_end{};
        std::uint32_t noc_y_end{};
        std::uint32_t offset_bytes{};
    };
    template <Noc::AddressType address_type>
    static auto src_addr(const Endpoint& src, const Noc&, const src_args_type& args) {
        static_assert(address_type == Noc::AddressType::LOCAL_L1,
                      "CircularBuffer without mcast range can only be used as L1 source");
        return LocalSrc(src) + args.offset_bytes;
    }
    template <Noc::AddressType address_type>
    static auto dst_addr(const Endpoint& dst, const Noc&, const dst_args_type& args) {
        static_assert(address_type == Noc::AddressType::LOCAL_L1,
                      "CircularBuffer without mcast range can only be used as L1 source");
        return Local(dst) + args.offset_bytes;
    }
    template <Noc::AddressType address_type>
    static auto dst_addr_mcast(const Endpoint& dst, const Noc& noc, const dst_args_mcast_type& args) {
        static_assert(address_type == Noc::AddressType::NOC, "CircularBuffer with mcast range cannot be used as L1 source");
        return ::get_noc_multicast_addr(args.noc_x_start, args.noc_y_start, args.noc_x_end, args.noc_y_end,
                                        Local(dst) + args.offset_bytes, noc.get_noc_id());
    }
};
inline std::uint32_t cb_write_ptr(const CircularBuffer& cb) { return cb.get_write_ptr(); }
inline std::uint32_t cb_read_ptr(const CircularBuffer& cb) { return cb.get_read_ptr(); }
template <CircularBuffer::AddrSelector AddrSel>
std::uint32_t cb_view_ptr(const CircularBufferView<AddrSel>& v) {
    return AddrSel == CircularBuffer::AddrSelector::READ_PTR ? v.cb.get_read_ptr() : v.cb.get_write_ptr();
}
}  // namespace tt_mock

template <>
struct noc_traits_t<CircularBuffer>
    : tt_mock::cb_noc_traits<CircularBuffer, &tt_mock::cb_write_ptr, &tt_mock::cb_read_ptr> {};

template <CircularBuffer::AddrSelector AddrSel>
struct noc_traits_t<CircularBufferView<AddrSel>>
    : tt_mock::cb_noc_traits<CircularBufferView<AddrSel>, &tt_mock::cb_view_ptr<AddrSel>, &tt_mock::cb_view_ptr<AddrSel>> {};

#endif  // !COMPILE_FOR_TRISC
