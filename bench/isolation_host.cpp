// Host library for bench/isolation.py, in the runtime loader's ABI (see tt_build/runtime/loader.py).
// Linked with tests/mock_programs/lib_host.cpp (tt_test_eltwise) and the mock runtime.
//
//   tt_copy_32_run, tt_copy_2048_run    outputs[0] = inputs[0] (32x32 / 2048x2048 bf16): no device
//                                        work, so a call's time is the transport alone
//   tt_add_64_run, tt_add_1024_run      outputs[0] = inputs[0] + inputs[1] on the mock device
//                                        (64x64 on 4 cores / 1024x1024 on 64 cores)
#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" int tt_test_eltwise(uint32_t op, const void* a, const void* b, void* out, uint32_t rows, uint32_t cols,
                               uint32_t ncores, const char* kernel_dir, char* err, std::size_t err_len);

#define TT_EXPORT extern "C" __attribute__((visibility("default")))

TT_EXPORT int tt_copy_32_run(const uint16_t* const* in, uint16_t* const* out, const char*, char*, std::size_t) {
    std::memcpy(out[0], in[0], 32 * 32 * 2);
    return 0;
}

TT_EXPORT int tt_copy_2048_run(const uint16_t* const* in, uint16_t* const* out, const char*, char*, std::size_t) {
    std::memcpy(out[0], in[0], 2048 * 2048 * 2);
    return 0;
}

TT_EXPORT int tt_add_64_run(const uint16_t* const* in, uint16_t* const* out, const char* kdir, char* err,
                            std::size_t len) {
    return tt_test_eltwise(0, in[0], in[1], out[0], 64, 64, 4, kdir, err, len);
}

TT_EXPORT int tt_add_1024_run(const uint16_t* const* in, uint16_t* const* out, const char* kdir, char* err,
                              std::size_t len) {
    return tt_test_eltwise(0, in[0], in[1], out[0], 1024, 1024, 64, kdir, err, len);
}
