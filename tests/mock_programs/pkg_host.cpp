// A kernel package's host library in the shape tt-build generates (the runtime loader's ABI), for
// the isolation tests: with lib_host.cpp,
//
//   int tt_eltwise_add_run(const uint16_t* const* inputs, uint16_t* const* outputs,
//                          const char* kernel_dir, char* err, size_t err_len)
//
// computes outputs[0] = inputs[0] + inputs[1] (32x64 bf16, row-major) on core (0,0) with the
// kernels reader_binary.cpp, writer_unary.cpp and compute_binary.cpp of kernel_dir; tt_host_fault_run
// crashes in the host program.
#include <cstddef>
#include <cstdint>

extern "C" int tt_test_eltwise(uint32_t op, const void* a, const void* b, void* out, uint32_t rows, uint32_t cols,
                               uint32_t ncores, const char* kernel_dir, char* err, std::size_t err_len);

extern "C" __attribute__((visibility("default"))) int tt_eltwise_add_run(const uint16_t* const* inputs,
                                                                         uint16_t* const* outputs,
                                                                         const char* kernel_dir, char* err,
                                                                         std::size_t err_len) {
    return tt_test_eltwise(0, inputs[0], inputs[1], outputs[0], 32, 64, 1, kernel_dir, err, err_len);
}

// A fault in the host program itself (no kernel running): reads through a null pointer.
extern "C" __attribute__((visibility("default"))) int tt_host_fault_run(const uint16_t* const*, uint16_t* const*,
                                                                        const char*, char*, std::size_t) {
    volatile std::uintptr_t table = 0;
    return static_cast<int>(*reinterpret_cast<volatile uint32_t*>(table));
}
