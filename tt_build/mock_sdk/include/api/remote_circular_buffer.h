// tt-build mock SDK: remote circular buffers (a CB whose producer and consumer are on different
// cores, fed by a global circular buffer). The mock does not model them: the names exist so that
// kernels which only use them on some paths compile, and a call fails there with
// "not implemented in the mock: experimental::<name>".
#pragma once

#include <cstdint>

#include "api/dataflow/dataflow_api.h"

namespace experimental {

inline void remote_cb_wait_front(std::uint32_t /*cb_id*/, std::uint32_t /*num_pages*/) {
    tt_mock::g_api->fail("not implemented in the mock: experimental::remote_cb_wait_front");
}
inline void remote_cb_pop_front(std::uint32_t /*cb_id*/, std::uint32_t /*num_pages*/, std::uint8_t /*noc*/ = noc_index) {
    tt_mock::g_api->fail("not implemented in the mock: experimental::remote_cb_pop_front");
}
inline void remote_cb_reserve_back(std::uint32_t /*cb_id*/, std::uint32_t /*num_pages*/) {
    tt_mock::g_api->fail("not implemented in the mock: experimental::remote_cb_reserve_back");
}
inline void remote_cb_sender_barrier(std::uint32_t /*cb_id*/) {
    tt_mock::g_api->fail("not implemented in the mock: experimental::remote_cb_sender_barrier");
}
template <bool skip_ptr_update = true>
inline void remote_cb_push_back_and_write_pages(std::uint32_t /*cb_id*/, std::uint32_t /*local_cb_addr*/,
                                                std::uint32_t /*num_pages*/, std::uint32_t /*num_rows*/,
                                                std::uint32_t /*coalesced_num_pages_per_row*/,
                                                std::uint32_t /*coalesced_page_size*/, std::uint8_t /*noc*/ = noc_index) {
    tt_mock::g_api->fail("not implemented in the mock: experimental::remote_cb_push_back_and_write_pages");
}
template <std::uint32_t num_local_cbs>
inline void align_local_cbs_to_remote_cb(std::uint32_t /*remote_cb_index*/,
                                         const std::uint32_t (&/*local_cb_indices*/)[num_local_cbs]) {
    tt_mock::g_api->fail("not implemented in the mock: experimental::align_local_cbs_to_remote_cb");
}
inline void update_remote_cb_config_in_l1(std::uint32_t /*remote_cb_index*/) {
    tt_mock::g_api->fail("not implemented in the mock: experimental::update_remote_cb_config_in_l1");
}

}  // namespace experimental
