// NEGATIVE: the removed compute-kernel form: `namespace NAMESPACE { void MAIN { ... } }` with
// mm_init (TT-Metalium 0.81 calls kernel_main() and has no mm_init).
#include <cstdint>

#include "api/compute/matmul.h"

namespace NAMESPACE {
void MAIN {
    constexpr uint32_t cb_a = get_compile_time_arg_val(0);
    constexpr uint32_t cb_b = get_compile_time_arg_val(1);
    constexpr uint32_t cb_out = get_compile_time_arg_val(2);
    mm_init(cb_a, cb_b, cb_out);
    acquire_dst();
    matmul_tiles(cb_a, cb_b, 0, 0, 0, false);
    pack_tile(0, cb_out);
    release_dst();
}
}  // namespace NAMESPACE
