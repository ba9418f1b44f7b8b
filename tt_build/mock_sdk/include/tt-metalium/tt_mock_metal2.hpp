// tt-build mock SDK — MOCK-ONLY host API, not part of TT-Metalium.
//
// Metal 2.0 kernels (the ProgramSpec API: ttnn 0.81's reduce, softmax and layernorm kernels among them)
// read their arguments through names — `get_arg(args::Ht)`, `DataflowBuffer(dfb::in0)`,
// `TensorAccessor(tensor::src)` — that tt-metal's JIT generates per kernel from the host's ProgramSpec
// (kernel_args_generated.h / kernel_bindings_generated.h). The mock does not implement the ProgramSpec
// host API; SetMetal2Bindings gives a kernel created with CreateKernel the same generated names:
//
//   args::<name>    compile_time_args:     experimental::CtaVal<uint32_t> (a compile-time constant)
//                   runtime_args:          experimental::RtaArg<uint32_t>, the i-th per-core runtime argument
//                                          (values through SetRuntimeArgs, in this order)
//                   common_runtime_args:   experimental::CrtaArg<uint32_t>, the i-th common runtime argument
//   dfb::<name>     dataflow_buffers:      the circular buffer index (a uint32_t constant)
//   tensor::<name>  tensors:               tensor_accessor::TensorBindingToken: the buffer's TensorAccessorArgs
//                                          are appended to the kernel's compile-time args, its address to the
//                                          common runtime args after common_runtime_args
//
// Call it once per kernel, before the program runs; it sets the kernel's common runtime args (do not call
// SetCommonRuntimeArgs on the kernel). Names must be C++ identifiers, unique per namespace.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tt-metalium/host_api.hpp"

namespace tt_mock {

struct Metal2Bindings {
    std::vector<std::pair<std::string, std::uint32_t>> compile_time_args;
    std::vector<std::string> runtime_args;
    std::vector<std::pair<std::string, std::uint32_t>> common_runtime_args;
    std::vector<std::pair<std::string, std::uint32_t>> dataflow_buffers;
    std::vector<std::pair<std::string, const tt::tt_metal::distributed::MeshBuffer*>> tensors;
};

void SetMetal2Bindings(tt::tt_metal::Program& program, tt::tt_metal::KernelHandle kernel, const Metal2Bindings& bindings);

}  // namespace tt_mock
