// tt-build mock SDK: class Semaphore — a semaphore word of this core's L1 (an id from CreateSemaphore)
// with the local and NoC operations data-movement kernels use on it. Every operation is the
// free-function semaphore call it is made of (noc_semaphore_set / _wait / _inc / _set_multicast ...),
// so the mock's checks, counters and device-time model apply to it as to those.
#pragma once

#include <cstdint>

#include "api/dataflow/semaphore_binding_token.h"
#ifdef COMPILE_FOR_TRISC
#error "not implemented in the mock: Semaphore in compute kernels"
#else
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/noc.h"
#endif

template <ProgrammableCoreType core_type = ProgrammableCoreType::TENSIX>
class Semaphore {
    template <ProgrammableCoreType>
    friend class Semaphore;

public:
    explicit Semaphore(SemaphoreBindingToken token) : handle_(get_semaphore<core_type>(token.id)) {
        if (token.scope != SemScope::LOCAL_NONATOMIC) {
            tt_mock::g_api->fail("not implemented in the mock: Semaphore scopes other than SemScope::LOCAL_NONATOMIC");
        }
    }
    explicit Semaphore(std::uint32_t semaphore_id) : handle_(get_semaphore<core_type>(semaphore_id)) {}

    // Semaphores of scope SemScope::LOCAL_NONATOMIC (the only scope on Wormhole and Blackhole): as on
    // the device, up() only signals (the value is unchanged) and down() waits until the value is at
    // least `value` (without subtracting it).
    void up(std::uint32_t /*value*/) {}
    void down(std::uint32_t value) { noc_semaphore_wait_min(ptr(), value); }
    void wait(std::uint32_t value) const { noc_semaphore_wait(ptr(), value); }
    void wait_min(std::uint32_t value) const { noc_semaphore_wait_min(ptr(), value); }
    void set(std::uint32_t value) { noc_semaphore_set(ptr(), value); }
    std::uint32_t value() const { return *ptr(); }

    // Atomically adds `value` to the same semaphore of core (noc_x, noc_y).
    void up(const Noc& noc, std::uint32_t noc_x, std::uint32_t noc_y, std::uint32_t value,
            std::uint8_t vc = NOC_UNICAST_WRITE_VC) {
        noc_semaphore_inc(::get_noc_addr(noc_x, noc_y, addr(), noc.get_noc_id()), value, noc.get_noc_id(), vc);
    }
    // Writes this semaphore's value into dst_sem of core (noc_x, noc_y).
    template <ProgrammableCoreType dst_core_type = core_type>
    void relay_unicast(const Noc& noc, const Semaphore<dst_core_type>& dst_sem, std::uint32_t noc_x, std::uint32_t noc_y) {
        noc_semaphore_set_remote(addr(), ::get_noc_addr(noc_x, noc_y, dst_sem.addr(), noc.get_noc_id()), noc.get_noc_id());
    }
    // Writes this semaphore's value into the same semaphore of every core of a rectangle.
    template <NocOptions opts = NocOptions::DEFAULT>
    void set_multicast(const Noc& noc, std::uint32_t noc_x_start, std::uint32_t noc_y_start, std::uint32_t noc_x_end,
                       std::uint32_t noc_y_end, std::uint32_t num_dests, bool linked = false) {
        relay(noc, addr(), noc_x_start, noc_y_start, noc_x_end, noc_y_end, num_dests, linked,
              has_flag(opts, NocOptions::MCAST_INCL_SRC));
    }
    template <NocOptions opts = NocOptions::DEFAULT, ProgrammableCoreType dst_core_type = core_type>
    void relay_multicast(const Noc& noc, const Semaphore<dst_core_type>& dst_sem, std::uint32_t noc_x_start,
                         std::uint32_t noc_y_start, std::uint32_t noc_x_end, std::uint32_t noc_y_end,
                         std::uint32_t num_dests, bool linked = false) {
        relay(noc, dst_sem.addr(), noc_x_start, noc_y_start, noc_x_end, noc_y_end, num_dests, linked,
              has_flag(opts, NocOptions::MCAST_INCL_SRC));
    }
    // Atomically adds `value` to the same semaphore of every core of a rectangle (not the sender).
    void inc_multicast(const Noc& noc, std::uint32_t noc_x_start, std::uint32_t noc_y_start, std::uint32_t noc_x_end,
                       std::uint32_t noc_y_end, std::uint32_t value, std::uint32_t num_dests) {
        noc_semaphore_inc_multicast(
            ::get_noc_multicast_addr(noc_x_start, noc_y_start, noc_x_end, noc_y_end, addr(), noc.get_noc_id()), value,
            num_dests, noc.get_noc_id());
    }

private:
    std::uint32_t addr() const { return static_cast<std::uint32_t>(handle_); }
    volatile tt_l1_ptr std::uint32_t* ptr() const { return reinterpret_cast<volatile tt_l1_ptr std::uint32_t*>(handle_); }
    void relay(const Noc& noc, std::uint32_t dst, std::uint32_t xs, std::uint32_t ys, std::uint32_t xe, std::uint32_t ye,
               std::uint32_t num_dests, bool linked, bool loopback) {
        const std::uint64_t mcast = ::get_noc_multicast_addr(xs, ys, xe, ye, dst, noc.get_noc_id());
        if (loopback) {
            noc_semaphore_set_multicast_loopback_src(addr(), mcast, num_dests, linked, noc.get_noc_id());
        } else {
            noc_semaphore_set_multicast(addr(), mcast, num_dests, linked, noc.get_noc_id());
        }
    }

    std::uintptr_t handle_;
};
