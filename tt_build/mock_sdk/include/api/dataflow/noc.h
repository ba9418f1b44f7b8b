// tt-build mock SDK: the object-style NoC API of data-movement kernels (class Noc).
//
// A transfer names a source and a destination object; noc_traits_t<T> of each object turns the
// per-call arguments (page id, byte offset, ...) into an address. The mock implements the traits of
// DataflowBuffer (api/dataflow/dataflow_buffer.h), TensorAccessor (api/tensor/noc_traits.h) and
// UnicastEndpoint (api/dataflow/endpoints.h). Every transfer is a bounds-checked copy performed by
// the mock runtime (noc_async_read / noc_async_write underneath), so the same checks and counters
// apply as for the free-function API.
#pragma once

#include <cstdint>
#include <map>
#include <type_traits>

#include "api/dataflow/dataflow_api.h"

template <typename DSpecT>
struct TensorAccessor;

struct UnicastEndpoint;
struct MulticastEndpoint;
class CircularBuffer;

// Arguments of a DataflowBuffer endpoint: a byte offset from its write (destination) or read
// (source) pointer.
struct DataflowBufferArgs {
    std::uint32_t offset_bytes{};
};

template <typename T>
struct noc_traits_t {
    static_assert(sizeof(T) == 0, "NoC transactions are not supported for this type");
};

// May T be a local-L1 endpoint of noc.async_write_zeros? (DataflowBuffer: api/dataflow/dataflow_buffer.h)
template <typename T>
inline constexpr bool noc_zero_l1_endpoint_v = false;

// Compile-time options of a transaction (OR-combinable).
enum class NocOptions : std::uint32_t {
    DEFAULT = 0,
    TXN_ID = 1u << 0,
    POSTED = 1u << 1,
    CUSTOM_VC = 1u << 2,
    MCAST_INCL_SRC = 1u << 3,
    INLINE_L1 = 1u << 4,
    INLINE_REG = 1u << 5,
};

constexpr NocOptions operator|(NocOptions a, NocOptions b) noexcept {
    return static_cast<NocOptions>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}

constexpr bool has_flag(NocOptions opts, NocOptions flag) noexcept {
    return (static_cast<std::uint32_t>(opts) & static_cast<std::uint32_t>(flag)) != 0;
}

// Run-time values of the options (the mock completes every transfer at issue, so transaction ids
// and virtual channels do not change its behaviour).
struct NocOptVals {
    std::uint32_t vc = NOC_UNICAST_WRITE_VC;
    std::uint32_t trid = 0;
};

namespace tt_mock {
// The state of stateful reads (Noc::set_async_read_state): on the device it sits in the read command
// buffer of a core's NoC; the mock keeps it per (core, NoC) in the kernel, since every core running
// this kernel is a fiber of one host thread.
struct NocReadState {
    std::uint64_t src_noc_addr = 0;
    std::uint32_t size_bytes = 0;
};
inline std::map<std::uint64_t, NocReadState>& noc_read_states() {
    static std::map<std::uint64_t, NocReadState> states;
    return states;
}
inline std::uint64_t noc_read_state_key(std::uint8_t noc_id) {
    return (static_cast<std::uint64_t>(g_api->my_noc_xy()) << 8) | noc_id;
}
}  // namespace tt_mock

class Noc {
public:
    enum class AddressType { NOC, LOCAL_L1 };

    static constexpr std::uint32_t INVALID_TXN_ID = 0xFFFFFFFF;

private:
    template <typename T>
    using src_args_t = typename noc_traits_t<T>::src_args_type;
    template <typename T>
    using dst_args_t = typename noc_traits_t<T>::dst_args_type;
    template <typename T>
    using dst_args_mcast_t = typename noc_traits_t<T>::dst_args_mcast_type;

public:
    Noc() : noc_id_(noc_index) {}
    explicit Noc(std::uint8_t noc_id) : noc_id_(noc_id) {}

    std::uint8_t get_noc_id() const { return noc_id_; }

    bool is_local_bank(std::uint32_t virtual_x, std::uint32_t virtual_y) const {
        const std::uint32_t xy = tt_mock::g_api->my_noc_xy();
        return virtual_x == (xy & 0xffff) && virtual_y == (xy >> 16);
    }

    bool is_local_addr(const std::uint64_t noc_addr) const {
        const std::uint32_t x = static_cast<std::uint32_t>((noc_addr >> tt_mock::kNocAddrLocalBits) & 63);
        const std::uint32_t y =
            static_cast<std::uint32_t>((noc_addr >> (tt_mock::kNocAddrLocalBits + tt_mock::kNocAddrNodeIdBits)) & 63);
        return is_local_bank(x, y);
    }

    // Reads size_bytes from src (a NoC address) into dst (this core's L1).
    template <NocOptions opts = NocOptions::DEFAULT, std::uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1,
              bool enable_noc_tracing = true, typename Src, typename Dst>
    void async_read(const Src& src, const Dst& dst, std::uint32_t size_bytes, const src_args_t<Src>& src_args,
                    const dst_args_t<Dst>& dst_args, const NocOptVals& /*noc_opts*/ = {}) const {
        const std::uint32_t dst_addr = static_cast<std::uint32_t>(
            noc_traits_t<Dst>::template dst_addr<AddressType::LOCAL_L1>(dst, *this, dst_args));
        const std::uint64_t src_addr = noc_traits_t<Src>::template src_addr<AddressType::NOC>(src, *this, src_args);
        tt_mock::g_api->noc_read(src_addr, dst_addr, size_bytes);
    }

    // Records the source of stateful reads: the NoC address of src (its NoC coordinates are kept for
    // every async_read_with_state that follows) and size_bytes.
    template <NocOptions opts = NocOptions::DEFAULT, std::uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1,
              typename Src>
    void set_async_read_state(const Src& src, std::uint32_t size_bytes, const src_args_t<Src>& src_args,
                              const NocOptVals& /*noc_opts*/ = {}) const {
        const std::uint64_t src_addr = noc_traits_t<Src>::template src_addr<AddressType::NOC>(src, *this, src_args);
        tt_mock::noc_read_states()[tt_mock::noc_read_state_key(noc_id_)] = {src_addr, size_bytes};
    }

    // Reads from the NoC coordinates recorded by set_async_read_state, at the local address of src,
    // into dst (this core's L1). One-packet mode (max_page_size <= NOC_MAX_BURST_SIZE) reads the size
    // recorded by set_async_read_state; otherwise size_bytes.
    template <NocOptions opts = NocOptions::DEFAULT, std::uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1,
              typename Src, typename Dst>
    void async_read_with_state(const Src& src, const Dst& dst, std::uint32_t size_bytes,
                               const src_args_t<Src>& src_args, const dst_args_t<Dst>& dst_args,
                               const NocOptVals& /*noc_opts*/ = {}) const {
        static_assert(!has_flag(opts, NocOptions::TXN_ID) || max_page_size <= NOC_MAX_BURST_SIZE,
                      "NocOptions::TXN_ID for async_read_with_state requires one-packet mode "
                      "(max_page_size <= NOC_MAX_BURST_SIZE)");
        const auto& states = tt_mock::noc_read_states();
        const auto it = states.find(tt_mock::noc_read_state_key(noc_id_));
        if (it == states.end()) {
            tt_mock::g_api->fail("Noc::async_read_with_state: no set_async_read_state on this core's NoC before it");
        }
        // the device takes the NoC coordinates from the state and the low 32 address bits from src
        constexpr std::uint64_t kLocalMask = (std::uint64_t{1} << tt_mock::kNocAddrLocalBits) - 1;
        const std::uint32_t local = static_cast<std::uint32_t>(
            noc_traits_t<Src>::template src_addr<AddressType::NOC>(src, *this, src_args));
        const std::uint64_t src_addr = (it->second.src_noc_addr & ~kLocalMask) | local;
        const std::uint32_t dst_addr = static_cast<std::uint32_t>(
            noc_traits_t<Dst>::template dst_addr<AddressType::LOCAL_L1>(dst, *this, dst_args));
        const std::uint32_t size = max_page_size <= NOC_MAX_BURST_SIZE ? it->second.size_bytes : size_bytes;
        tt_mock::g_api->noc_read(src_addr, dst_addr, size);
    }

    // Writes size_bytes from src (this core's L1) to dst (a NoC address).
    template <NocOptions opts = NocOptions::DEFAULT, std::uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1,
              bool enable_noc_tracing = true, typename Src, typename Dst>
    void async_write(const Src& src, const Dst& dst, std::uint32_t size_bytes, const src_args_t<Src>& src_args,
                     const dst_args_t<Dst>& dst_args, const NocOptVals& /*noc_opts*/ = {}) const {
        const std::uint32_t src_addr = static_cast<std::uint32_t>(
            noc_traits_t<Src>::template src_addr<AddressType::LOCAL_L1>(src, *this, src_args));
        const std::uint64_t dst_addr = noc_traits_t<Dst>::template dst_addr<AddressType::NOC>(dst, *this, dst_args);
        tt_mock::g_api->noc_write(src_addr, dst_addr, size_bytes);
    }

    // Writes size_bytes from src (this core's L1) to the same L1 address of every core of a rectangle
    // (dst_args: noc_x_start, noc_y_start, noc_x_end, noc_y_end and the address); num_dsts counts the
    // cores written. NocOptions::MCAST_INCL_SRC also writes the sender (the loopback variant).
    template <NocOptions opts = NocOptions::DEFAULT, std::uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1,
              bool enable_noc_tracing = true, typename Src, typename Dst>
    void async_write_multicast(const Src& src, const Dst& dst, std::uint32_t size_bytes, std::uint32_t num_dsts,
                               const src_args_t<Src>& src_args, const dst_args_mcast_t<Dst>& dst_args,
                               bool linked = false) const {
        static_assert(!has_flag(opts, NocOptions::TXN_ID), "Mcasts with transaction id are not supported yet");
        static_assert(!has_flag(opts, NocOptions::POSTED), "Mcasts with posted transactions are not supported");
        const std::uint32_t src_addr = static_cast<std::uint32_t>(
            noc_traits_t<Src>::template src_addr<AddressType::LOCAL_L1>(src, *this, src_args));
        const std::uint64_t dst_addr =
            noc_traits_t<Dst>::template dst_addr_mcast<AddressType::NOC>(dst, *this, dst_args);
        if constexpr (has_flag(opts, NocOptions::MCAST_INCL_SRC)) {
            noc_async_write_multicast_loopback_src(src_addr, dst_addr, size_bytes, num_dsts, linked, noc_id_);
        } else {
            noc_async_write_multicast<max_page_size>(src_addr, dst_addr, size_bytes, num_dsts, linked, noc_id_);
        }
    }

    template <NocOptions opts = NocOptions::DEFAULT>
    void async_read_barrier(const NocOptVals& /*noc_opts*/ = {}) const {
        tt_mock::g_api->noc_read_barrier();
    }
    template <NocOptions opts = NocOptions::DEFAULT>
    void async_write_barrier(const NocOptVals& /*noc_opts*/ = {}) const {
        tt_mock::g_api->noc_write_barrier();
    }
    template <NocOptions opts = NocOptions::DEFAULT>
    void async_writes_flushed(const NocOptVals& /*noc_opts*/ = {}) const {
        tt_mock::g_api->noc_writes_flushed();
    }
    void async_atomic_barrier() const { noc_async_atomic_barrier(noc_id_); }

    // Zero size_bytes of this core's L1 at a local endpoint (the device writes the zeros through the
    // NoC; the mock completes them at issue, so write_zeros_l1_barrier has nothing left to wait for).
    template <typename Dst>
    void async_write_zeros(const Dst& dst, std::uint32_t size_bytes, const dst_args_t<Dst>& args = {}) const {
        static_assert(noc_zero_l1_endpoint_v<Dst>, "async_write_zeros: the destination is not a local-L1 endpoint");
        const std::uint32_t addr = noc_traits_t<Dst>::template dst_addr<AddressType::LOCAL_L1>(dst, *this, args);
        volatile std::uint8_t* p = reinterpret_cast<volatile std::uint8_t*>(static_cast<std::uintptr_t>(addr));
        for (std::uint32_t i = 0; i < size_bytes; ++i) p[i] = 0;
    }
    void write_zeros_l1_barrier() const {}
    void async_full_barrier() const {
        tt_mock::g_api->noc_read_barrier();
        tt_mock::g_api->noc_write_barrier();
    }

private:
    std::uint8_t noc_id_;
};

#include "api/dataflow/endpoints.h"
