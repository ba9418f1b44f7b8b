// Host program as a shared library (like a kernel package's _tt_kernels.so: the mock runtime is
// linked into it statically), written against the TT-Metalium host API only.
//
//   int tt_test_eltwise(op, a, b, out, rows, cols, ncores, kernel_dir, err, err_len)
//
// out = a OP b (0 add, 1 sub, 2 mul) on row-major bf16 matrices, with the hand-written kernels of
// <kernel_dir> on the first ncores cores of the device grid; opens the device and closes it again.
// Returns 0, or 2 with the error text in err.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/constants.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <tt-metalium/tilize_utils.hpp>
#include <tt-metalium/work_split.hpp>

using namespace tt;
using namespace tt::tt_metal;
using namespace tt::constants;

namespace {

void run(uint32_t op, const bfloat16* a_host, const bfloat16* b_host, bfloat16* out_host, uint32_t rows, uint32_t cols,
         uint32_t ncores, const std::string& kdir) {
    constexpr uint32_t tile_bytes = sizeof(bfloat16) * TILE_HW;
    auto device = distributed::MeshDevice::create_unit_mesh(0);
    distributed::MeshCommandQueue& cq = device->mesh_command_queue();
    const uint32_t n_tiles = rows * cols / TILE_HW;
    distributed::DeviceLocalBufferConfig dram{.page_size = tile_bytes, .buffer_type = BufferType::DRAM};
    distributed::ReplicatedBufferConfig size{.size = tile_bytes * n_tiles};
    auto a = distributed::MeshBuffer::create(size, dram, device.get());
    auto b = distributed::MeshBuffer::create(size, dram, device.get());
    auto c = distributed::MeshBuffer::create(size, dram, device.get());
    const std::size_t count = static_cast<std::size_t>(rows) * cols;
    distributed::EnqueueWriteMeshBuffer(cq, a, tilize_nfaces(std::vector<bfloat16>(a_host, a_host + count), rows, cols));
    distributed::EnqueueWriteMeshBuffer(cq, b, tilize_nfaces(std::vector<bfloat16>(b_host, b_host + count), rows, cols));

    const CoreCoord grid = device->compute_with_storage_grid_size();
    const uint32_t use = std::min<uint32_t>(ncores, grid.x * grid.y);
    auto [num_cores, all_cores, group_1, group_2, per_core_1, per_core_2] =
        split_work_to_cores(CoreCoord(std::min<uint32_t>(use, grid.x), (use + grid.x - 1) / grid.x), n_tiles, true);
    Program program = CreateProgram();
    for (uint32_t index : {CBIndex::c_0, CBIndex::c_1, CBIndex::c_16}) {
        CreateCircularBuffer(program, all_cores,
                             CircularBufferConfig(2 * tile_bytes, {{index, tt::DataFormat::Float16_b}})
                                 .set_page_size(index, tile_bytes));
    }
    std::vector<uint32_t> reader_ct, writer_ct;
    TensorAccessorArgs(*a).append_to(reader_ct);
    TensorAccessorArgs(*b).append_to(reader_ct);
    TensorAccessorArgs(*c).append_to(writer_ct);
    auto reader = CreateKernel(program, kdir + "/reader_binary.cpp", all_cores,
                               DataMovementConfig{.processor = DataMovementProcessor::RISCV_1,
                                                  .noc = NOC::RISCV_1_default,
                                                  .compile_args = reader_ct});
    auto writer = CreateKernel(program, kdir + "/writer_unary.cpp", all_cores,
                               DataMovementConfig{.processor = DataMovementProcessor::RISCV_0,
                                                  .noc = NOC::RISCV_0_default,
                                                  .compile_args = writer_ct});
    auto compute = CreateKernel(program, kdir + "/compute_binary.cpp", all_cores, ComputeConfig{.compile_args = {op}});
    uint32_t start = 0;
    for (const auto& core : corerange_to_cores(all_cores, std::nullopt, true)) {
        const uint32_t n = group_1.contains(core) ? per_core_1 : per_core_2;
        SetRuntimeArgs(program, reader, core,
                       {static_cast<uint32_t>(a->address()), static_cast<uint32_t>(b->address()), start, n});
        SetRuntimeArgs(program, writer, core, {static_cast<uint32_t>(c->address()), start, n});
        SetRuntimeArgs(program, compute, core, {n});
        start += n;
    }
    distributed::MeshWorkload workload;
    workload.add_program(distributed::MeshCoordinateRange(device->shape()), std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    distributed::Finish(cq);
    std::vector<bfloat16> out;
    distributed::EnqueueReadMeshBuffer(cq, out, c, true);
    const std::vector<bfloat16> rm = untilize_nfaces(out, rows, cols);
    std::memcpy(out_host, rm.data(), rm.size() * sizeof(bfloat16));
    device->close();
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int tt_test_eltwise(uint32_t op, const void* a, const void* b,
                                                                      void* out, uint32_t rows, uint32_t cols,
                                                                      uint32_t ncores, const char* kernel_dir,
                                                                      char* err, std::size_t err_len) {
    try {
        run(op, static_cast<const bfloat16*>(a), static_cast<const bfloat16*>(b), static_cast<bfloat16*>(out), rows,
            cols, ncores, kernel_dir);
        return 0;
    } catch (const std::exception& e) {
        if (err_len > 0) {
            std::strncpy(err, e.what(), err_len - 1);
            err[err_len - 1] = '\0';
        }
        return 2;
    }
}
