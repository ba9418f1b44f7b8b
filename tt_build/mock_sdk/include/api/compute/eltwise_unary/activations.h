// tt-build mock SDK: further activations of a DST tile.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void hardsigmoid_tile(uint32_t /*idst*/) { tt_mock::not_implemented("hardsigmoid_tile"); }
ALWI void hardsigmoid_tile_init() {}
ALWI void softsign_tile(uint32_t /*idst*/) { tt_mock::not_implemented("softsign_tile"); }
ALWI void softsign_tile_init() {}
ALWI void hardsigmoid_tile_pack(uint32_t /*idst*/) { tt_mock::not_implemented("hardsigmoid_tile_pack"); }
ALWI void hardsigmoid_tile_init_pack() {}
}  // namespace ckernel
