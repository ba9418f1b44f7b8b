// tt-build mock SDK: TensorAccessor as a class Noc endpoint (a page of an interleaved tensor).
#pragma once

#include <cstdint>

#include "api/dataflow/noc.h"
#include "api/tensor/tensor_accessor.h"

template <typename DSpecT>
struct noc_traits_t<TensorAccessor<DSpecT>> {
    struct src_args_type {
        std::uint32_t page_id{};
        std::uint32_t offset_bytes = 0;
    };
    struct dst_args_type {
        std::uint32_t page_id{};
        std::uint32_t offset_bytes = 0;
    };
    template <Noc::AddressType address_type>
    static std::uint64_t src_addr(const TensorAccessor<DSpecT>& src, const Noc& noc, const src_args_type& args) {
        static_assert(address_type == Noc::AddressType::NOC,
                      "tt-build mock SDK: a TensorAccessor page is a NoC address, not a local L1 address");
        return src.get_noc_addr(args.page_id, args.offset_bytes, noc.get_noc_id());
    }
    template <Noc::AddressType address_type>
    static std::uint64_t dst_addr(const TensorAccessor<DSpecT>& dst, const Noc& noc, const dst_args_type& args) {
        static_assert(address_type == Noc::AddressType::NOC,
                      "tt-build mock SDK: a TensorAccessor page is a NoC address, not a local L1 address");
        return dst.get_noc_addr(args.page_id, args.offset_bytes, noc.get_noc_id());
    }
};
