// Host program that runs ttnn's own production kernels (from the ttnn 0.81 wheel, unmodified) the
// way ttnn's program factories set them up: the same kernel files, compile-time args, named
// compile-time args, defines, circular buffers, work split and runtime args. Written against the
// TT-Metalium host API only.
//
// Kernel paths are relative to the tt-metal root, as in ttnn ("ttnn/cpp/ttnn/operations/..."):
// run with TT_METAL_HOME pointing at the wheel's ttnn/ directory.
//
//   ttnn_host matmul  <grid_x> <grid_y> <batch> <M> <K> <N> <bcast_b 0|1> <logical_K> <a.bin> <b.bin> <out.bin>
//       MatmulMultiCoreProgramFactory: compute bmm.cpp, reader reader_bmm_8bank_output_tiles_partitioned.cpp,
//       writer eltwise/unary writer_unary_interleaved_start_id.cpp. a.bin is batch x M x K, b.bin is
//       (bcast_b ? 1 : batch) x K x N, out.bin batch x M x N (row-major bf16). K is the padded width
//       (a multiple of 32); columns >= logical_K of A's last K tile are zeroed by the reader.
//   ttnn_host eltwise <grid_x> <grid_y> <add|sub|mul> <rows> <cols> <activation> <a.bin> <b.bin> <out.bin>
//       BinaryDeviceOperation::ElementWiseMultiCore (interleaved): compute eltwise_binary_kernel.cpp, reader
//       reader_binary_interleaved_start_id.cpp, writer eltwise/unary writer_unary_interleaved_start_id.cpp.
//       activation: none | pack_relu (fused ReLU on the packer, ttnn's add+relu path) | relu_chain
//       (SFPU_OP_CHAIN_0 post-op) | pre_in0_relu (input_tensor_a_activation: SFPU on in0 into c_3).
//
// Errors are printed to stderr, exit code 2.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/constants.hpp>
#include <tt-metalium/core_coord.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <tt-metalium/tilize_utils.hpp>
#include <tt-metalium/work_split.hpp>

#include "bf16_file_io.hpp"

using namespace tt;
using namespace tt::constants;
using namespace tt::tt_metal;

namespace {

using test_io::load;
using test_io::save;

std::shared_ptr<distributed::MeshBuffer> dram_tiles(distributed::MeshDevice* device, uint32_t num_tiles) {
    const uint32_t tile_size = tt::tile_size(tt::DataFormat::Float16_b);
    distributed::DeviceLocalBufferConfig local{.page_size = tile_size, .buffer_type = BufferType::DRAM};
    distributed::ReplicatedBufferConfig global{.size = tile_size * num_tiles};
    return distributed::MeshBuffer::create(global, local, device);
}

void create_cb(Program& program, const CoreRangeSet& cores, uint32_t index, uint32_t num_tiles) {
    const uint32_t tile_size = tt::tile_size(tt::DataFormat::Float16_b);
    CircularBufferConfig config =
        CircularBufferConfig(num_tiles * tile_size, {{index, tt::DataFormat::Float16_b}}).set_page_size(index, tile_size);
    CreateCircularBuffer(program, cores, config);
}

void run_workload(distributed::MeshDevice& device, Program&& program) {
    distributed::MeshCommandQueue& cq = device.mesh_command_queue();
    distributed::MeshWorkload workload;
    workload.add_program(distributed::MeshCoordinateRange(device.shape()), std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    distributed::Finish(cq);
}

// ---- matmul (MatmulMultiCoreProgramFactory) -----------------------------------------------------------
void matmul(distributed::MeshDevice& device, const CoreCoord grid, char** argv) {
    const uint32_t batch = std::stoul(argv[0]);
    const uint32_t M = std::stoul(argv[1]), K = std::stoul(argv[2]), N = std::stoul(argv[3]);
    const bool bcast_batch = std::stoul(argv[4]) != 0;
    const uint32_t logical_k = std::stoul(argv[5]);
    const uint32_t b_batch = bcast_batch ? 1 : batch;
    distributed::MeshCommandQueue& cq = device.mesh_command_queue();

    auto a = dram_tiles(&device, batch * M * K / TILE_HW);
    auto b = dram_tiles(&device, b_batch * K * N / TILE_HW);
    auto output = dram_tiles(&device, batch * M * N / TILE_HW);
    distributed::EnqueueWriteMeshBuffer(cq, a, tilize_nfaces(load(argv[6], batch * M * K), batch * M, K), false);
    distributed::EnqueueWriteMeshBuffer(cq, b, tilize_nfaces(load(argv[7], b_batch * K * N), b_batch * K, N), false);

    Program program = CreateProgram();
    const uint32_t Mt = M / TILE_HEIGHT, Kt = K / TILE_WIDTH, Nt = N / TILE_WIDTH;
    const uint32_t MtKt = Mt * Kt, KtNt = Kt * Nt, MtNt = Mt * Nt;
    const uint32_t num_cores_y = grid.y;
    const uint32_t num_output_tiles_total = batch * MtNt;
    auto [num_cores, all_cores, core_group_1, core_group_2, num_tiles_per_core_group_1, num_tiles_per_core_group_2] =
        split_work_to_cores(grid, num_output_tiles_total);

    const uint32_t num_input_tiles = 2, num_output_tiles = 2;
    const uint32_t output_cb_index = tt::CBIndex::c_16;
    create_cb(program, all_cores, tt::CBIndex::c_0, num_input_tiles);
    create_cb(program, all_cores, tt::CBIndex::c_1, num_input_tiles);
    create_cb(program, all_cores, output_cb_index, num_output_tiles);

    const uint32_t last_ktile_w = logical_k % TILE_WIDTH, last_ktile_h = 0;
    std::vector<uint32_t> reader_compile_time_args = {last_ktile_w, last_ktile_h};
    TensorAccessorArgs(*a).append_to(reader_compile_time_args);
    TensorAccessorArgs(*b).append_to(reader_compile_time_args);
    std::vector<uint32_t> writer_compile_time_args = {output_cb_index};
    TensorAccessorArgs(*output).append_to(writer_compile_time_args);

    auto reader_id = CreateKernel(
        program,
        "ttnn/cpp/ttnn/operations/matmul/device/kernels/dataflow/reader_bmm_8bank_output_tiles_partitioned.cpp",
        all_cores,
        ReaderDataMovementConfig(reader_compile_time_args, {}, {{"cb_in0", tt::CBIndex::c_0}, {"cb_in1", tt::CBIndex::c_1}}));
    auto writer_id = CreateKernel(
        program,
        "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp",
        all_cores,
        WriterDataMovementConfig(writer_compile_time_args));

    const std::unordered_map<std::string, uint32_t> bmm_named_args = {
        {"cb_in0", tt::CBIndex::c_0}, {"cb_in1", tt::CBIndex::c_1}, {"cb_out", output_cb_index}};
    // bmm.cpp: B, Mt, Nt are three nested loops acting as one, so only Nt carries the tile count.
    CreateKernel(
        program,
        "ttnn/cpp/ttnn/operations/matmul/device/kernels/compute/bmm.cpp",
        core_group_1,
        ComputeConfig{.math_fidelity = MathFidelity::HiFi4,
                      .dst_full_sync_en = true,
                      .compile_args = {1, 1, Kt, num_tiles_per_core_group_1},
                      .named_compile_args = bmm_named_args});
    if (!core_group_2.ranges().empty()) {
        CreateKernel(
            program,
            "ttnn/cpp/ttnn/operations/matmul/device/kernels/compute/bmm.cpp",
            core_group_2,
            ComputeConfig{.math_fidelity = MathFidelity::HiFi4,
                          .dst_full_sync_en = true,
                          .compile_args = {1, 1, Kt, num_tiles_per_core_group_2},
                          .named_compile_args = bmm_named_args});
    }

    const uint32_t src0_addr = a->address(), src1_addr = b->address(), dst_addr = output->address();
    for (uint32_t i = 0, num_tiles_written = 0; i < num_cores; i++) {
        const CoreCoord core = {i / num_cores_y, i % num_cores_y};
        const uint32_t num_output_tiles_per_core =
            core_group_1.contains(core) ? num_tiles_per_core_group_1 : num_tiles_per_core_group_2;
        SetRuntimeArgs(program, reader_id, core,
                       {src0_addr, src1_addr, Mt, Kt, Nt, MtKt, KtNt, batch, uint32_t(bcast_batch), num_tiles_written,
                        num_output_tiles_per_core, MtNt});
        SetRuntimeArgs(program, writer_id, core, {dst_addr, num_output_tiles_per_core, num_tiles_written});
        num_tiles_written += num_output_tiles_per_core;
    }

    run_workload(device, std::move(program));
    std::vector<bfloat16> out;
    distributed::EnqueueReadMeshBuffer(cq, out, output, true);
    save(argv[8], untilize_nfaces(out, batch * M, N));
}

// ---- eltwise binary (BinaryDeviceOperation::ElementWiseMultiCore, interleaved) --------------------------
std::map<std::string, std::string> eltwise_defines(const std::string& op, const std::string& activation) {
    std::map<std::string, std::string> defines;
    if (op == "add") {
        defines["ELTWISE_OP"] = "add_tiles";
        defines["ELTWISE_OP_TYPE"] = "EltwiseBinaryType::ELWADD";
    } else if (op == "sub") {
        defines["ELTWISE_OP"] = "sub_tiles";
        defines["ELTWISE_OP_TYPE"] = "EltwiseBinaryType::ELWSUB";
    } else if (op == "mul") {
        defines["ELTWISE_OP"] = "mul_tiles";
        defines["ELTWISE_OP_TYPE"] = "EltwiseBinaryType::ELWMUL";
    } else {
        throw std::runtime_error("unknown binary op " + op);
    }
    if (activation == "pack_relu") {
        defines["PACK_RELU"] = "1";  // a single fused ReLU after add runs on the packer
    } else if (activation == "relu_chain") {
        // fused post-activation chain, block "0", DST index "i"
        defines["SFPU_OP_CHAIN_0_INIT_0"] = "relu_tile_init();";
        defines["SFPU_OP_CHAIN_0_FUNC_0"] = "relu_tile(i);";
        defines["SFPU_OP_CHAIN_0"] = "SFPU_OP_CHAIN_0_INIT_0 SFPU_OP_CHAIN_0_FUNC_0 ";
        defines["SFPU_OP_RELU_FAMILY_INCLUDE"] = "1";
    } else if (activation == "pre_in0_relu") {
        // input_tensor_a_activation: applied to in0 before the binary op
        defines["SFPU_OP_INIT_PRE_IN0_0"] = "relu_tile_init();";
        defines["SFPU_OP_FUNC_PRE_IN0_0"] = "relu_tile(i);";
        defines["SFPU_OP_RELU_FAMILY_INCLUDE"] = "1";
    } else if (activation != "none") {
        throw std::runtime_error("unknown activation " + activation);
    }
    return defines;
}

void eltwise(distributed::MeshDevice& device, const CoreCoord grid, char** argv) {
    const std::string op = argv[0];
    const uint32_t rows = std::stoul(argv[1]), cols = std::stoul(argv[2]);
    const std::string activation = argv[3];
    distributed::MeshCommandQueue& cq = device.mesh_command_queue();
    const uint32_t num_tiles = rows * cols / TILE_HW;

    auto a = dram_tiles(&device, num_tiles);
    auto b = dram_tiles(&device, num_tiles);
    auto output = dram_tiles(&device, num_tiles);
    distributed::EnqueueWriteMeshBuffer(cq, a, tilize_nfaces(load(argv[4], rows * cols), rows, cols), false);
    distributed::EnqueueWriteMeshBuffer(cq, b, tilize_nfaces(load(argv[5], rows * cols), rows, cols), false);

    Program program = CreateProgram();
    const CoreRange all_device_cores({0, 0}, {grid.x - 1, grid.y - 1});
    const uint32_t max_block_size = 1;  // interleaved tensors
    create_cb(program, all_device_cores, tt::CBIndex::c_0, 2 * max_block_size);
    create_cb(program, all_device_cores, tt::CBIndex::c_1, 2 * max_block_size);
    const std::map<std::string, std::string> defines = eltwise_defines(op, activation);
    if (defines.count("SFPU_OP_INIT_PRE_IN0_0")) {
        create_cb(program, all_device_cores, tt::CBIndex::c_3, max_block_size);
    }
    const uint32_t output_cb_index = tt::CBIndex::c_2;
    create_cb(program, all_device_cores, output_cb_index, 2 * max_block_size);

    const uint32_t block_or_width_sharded = 0;
    std::vector<uint32_t> reader_compile_time_args = {block_or_width_sharded};
    TensorAccessorArgs(*a).append_to(reader_compile_time_args);
    TensorAccessorArgs(*b).append_to(reader_compile_time_args);
    std::vector<uint32_t> writer_compile_time_args = {output_cb_index};
    TensorAccessorArgs(*output).append_to(writer_compile_time_args);

    auto reader_id = CreateKernel(
        program,
        "ttnn/cpp/ttnn/operations/eltwise/binary/device/kernels/dataflow/reader_binary_interleaved_start_id.cpp",
        all_device_cores,
        ReaderDataMovementConfig(reader_compile_time_args));
    auto writer_id = CreateKernel(
        program,
        "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp",
        all_device_cores,
        WriterDataMovementConfig(writer_compile_time_args));
    auto compute_id = CreateKernel(
        program,
        "ttnn/cpp/ttnn/operations/eltwise/binary/device/kernels/compute/eltwise_binary_kernel.cpp",
        all_device_cores,
        ComputeConfig{.fp32_dest_acc_en = false, .defines = defines});

    // Work split over the whole grid; cores without work get zero counts, as in ttnn.
    auto [num_cores, all_cores, core_group_1, core_group_2, num_tiles_per_core_group_1, num_tiles_per_core_group_2] =
        split_work_to_cores(grid, num_tiles, true);
    (void)all_cores;
    (void)core_group_2;
    const uint32_t num_cores_total = grid.x * grid.y;
    const std::vector<CoreCoord> cores = grid_to_cores(num_cores_total, grid.x, grid.y, true);
    std::vector<std::vector<uint32_t>> reader_args(cores.size(), std::vector<uint32_t>(7, 0));
    std::vector<std::vector<uint32_t>> compute_args(cores.size(), std::vector<uint32_t>(2, 0));
    std::vector<std::vector<uint32_t>> writer_args(cores.size(), std::vector<uint32_t>(3, 0));
    const uint32_t g1_numcores = core_group_1.num_cores();
    for (uint32_t i = 0, num_tiles_read = 0; i < num_cores; ++i) {
        const uint32_t num_tiles_per_core = i < g1_numcores ? num_tiles_per_core_group_1 : num_tiles_per_core_group_2;
        const uint32_t block_size_per_core = 1, block_cnt_per_core = num_tiles_per_core;
        reader_args[i] = {static_cast<uint32_t>(a->address()), static_cast<uint32_t>(b->address()), num_tiles_per_core,
                          num_tiles_read, 0, 0, 0};
        compute_args[i] = {block_cnt_per_core, block_size_per_core};
        writer_args[i] = {static_cast<uint32_t>(output->address()), num_tiles_per_core, num_tiles_read};
        num_tiles_read += num_tiles_per_core;
    }
    SetRuntimeArgs(program, reader_id, cores, reader_args);
    SetRuntimeArgs(program, compute_id, cores, compute_args);
    SetRuntimeArgs(program, writer_id, cores, writer_args);

    run_workload(device, std::move(program));
    std::vector<bfloat16> out;
    distributed::EnqueueReadMeshBuffer(cq, out, output, true);
    save(argv[6], untilize_nfaces(out, rows, cols));
}

int run(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    const int expected = mode == "matmul" ? 13 : mode == "eltwise" ? 11 : 0;
    if (expected == 0 || argc != expected) {
        throw std::runtime_error("usage: ttnn_host matmul <gx> <gy> <batch> <M> <K> <N> <bcast_b> <logical_K> <a> <b> <out>\n"
                                 "       ttnn_host eltwise <gx> <gy> <add|sub|mul> <rows> <cols> <activation> <a> <b> <out>");
    }
    auto mesh_device = distributed::MeshDevice::create_unit_mesh(0);
    const CoreCoord device_grid = mesh_device->compute_with_storage_grid_size();
    const CoreCoord grid(std::min<std::size_t>(std::stoul(argv[2]), device_grid.x),
                         std::min<std::size_t>(std::stoul(argv[3]), device_grid.y));
    if (mode == "matmul") {
        matmul(*mesh_device, grid, argv + 4);
    } else {
        eltwise(*mesh_device, grid, argv + 4);
    }
    mesh_device->close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return test_io::run_main(run, argc, argv); }
