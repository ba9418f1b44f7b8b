// tt-build mock SDK: raw NoC endpoints for class Noc (a core's L1 named by NoC coordinates).
#pragma once

#include <cstdint>

#include "api/dataflow/noc.h"

struct UnicastEndpoint {
    std::uint64_t get_noc_unicast_addr(std::uint32_t noc_x, std::uint32_t noc_y, std::uint32_t addr,
                                       std::uint8_t noc) const {
        return ::get_noc_addr(noc_x, noc_y, addr, noc);
    }
};

template <>
struct noc_traits_t<UnicastEndpoint> {
    struct src_args_type {
        std::uint32_t noc_x{};
        std::uint32_t noc_y{};
        std::uint32_t addr{};
    };
    struct dst_args_type {
        std::uint32_t noc_x{};
        std::uint32_t noc_y{};
        std::uint32_t addr{};
    };
    template <Noc::AddressType address_type>
    static auto src_addr(const UnicastEndpoint& src, const Noc& noc, const src_args_type& args) {
        if constexpr (address_type == Noc::AddressType::LOCAL_L1) {
            return args.addr;
        } else {
            return src.get_noc_unicast_addr(args.noc_x, args.noc_y, args.addr, noc.get_noc_id());
        }
    }
    template <Noc::AddressType address_type>
    static auto dst_addr(const UnicastEndpoint& dst, const Noc& noc, const dst_args_type& args) {
        if constexpr (address_type == Noc::AddressType::LOCAL_L1) {
            return args.addr;
        } else {
            return dst.get_noc_unicast_addr(args.noc_x, args.noc_y, args.addr, noc.get_noc_id());
        }
    }
};
