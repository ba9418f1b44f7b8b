// Host program for the mock SDK tests, written against the TT-Metalium host API only.
//
//   mock_host eltwise <kernel_dir> <op 0=add|1=sub|2=mul> <rows> <cols> <ncores> <a.bin> <b.bin> <out.bin> [post_op]
//   mock_host matmul  <kernel_dir> <M> <K> <N> <ncores> <a.bin> <b.bin> <out.bin>
//   mock_host info    prints what the device reports about itself (one line)
//
// Matrices are raw row-major bf16 files. Errors are printed to stderr, exit code 2.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/constants.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <tt-metalium/tilize_utils.hpp>
#include <tt-metalium/work_split.hpp>

#include "bf16_file_io.hpp"

using namespace tt;
using namespace tt::tt_metal;
using namespace tt::constants;

namespace {

using test_io::load;
using test_io::save;

std::shared_ptr<distributed::MeshBuffer> make_buffer(const std::shared_ptr<distributed::MeshDevice>& dev,
                                                     uint32_t tiles) {
    constexpr uint32_t tile_bytes = sizeof(bfloat16) * TILE_HW;
    distributed::DeviceLocalBufferConfig dram{.page_size = tile_bytes, .buffer_type = BufferType::DRAM};
    distributed::ReplicatedBufferConfig cfg{.size = tile_bytes * tiles};
    return distributed::MeshBuffer::create(cfg, dram, dev.get());
}

void add_cb(Program& program, const CoreRangeSet& cores, uint32_t index, uint32_t pages) {
    constexpr uint32_t tile_bytes = sizeof(bfloat16) * TILE_HW;
    CircularBufferConfig cfg =
        CircularBufferConfig(pages * tile_bytes, {{index, tt::DataFormat::Float16_b}}).set_page_size(index, tile_bytes);
    CreateCircularBuffer(program, cores, cfg);
}

int run(int argc, char** argv) {
    if (argc < 2) throw std::runtime_error("usage: mock_host eltwise|matmul|info ...");
    const std::string mode = argv[1];
    auto mesh_device = distributed::MeshDevice::create_unit_mesh(0);
    if (mode == "info") {
        const CoreCoord grid = mesh_device->compute_with_storage_grid_size();
        const CoreCoord worker = mesh_device->worker_core_from_logical_core(CoreCoord(grid.x - 1, grid.y - 1));
        distributed::DeviceLocalBufferConfig dram{.page_size = 80, .buffer_type = BufferType::DRAM};
        auto buf = distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = 800}, dram,
                                                   mesh_device.get());
        std::cout << "arch=" << static_cast<int>(mesh_device->arch()) << " grid=" << grid.x << "x" << grid.y
                  << " dram_channels=" << mesh_device->num_dram_channels() << " l1=" << mesh_device->l1_size_per_core()
                  << " l1_base=" << mesh_device->allocator_l1_base() << " last_worker=" << worker.x << "," << worker.y
                  << " dram_page_80_aligned=" << TensorAccessorArgs(*buf).get_compile_time_args().at(1) << std::endl;
        mesh_device->close();
        return 0;
    }
    const std::string kdir = argv[2];
    distributed::MeshCommandQueue& cq = mesh_device->mesh_command_queue();
    Program program = CreateProgram();
    const CoreCoord grid = mesh_device->compute_with_storage_grid_size();

    if (mode == "eltwise") {
        const uint32_t op = std::stoul(argv[3]);
        const uint32_t rows = std::stoul(argv[4]), cols = std::stoul(argv[5]), ncores = std::stoul(argv[6]);
        const std::string post = argc > 10 ? argv[10] : "";
        const uint32_t n_tiles = rows * cols / TILE_HW;
        auto a = make_buffer(mesh_device, n_tiles), b = make_buffer(mesh_device, n_tiles),
             c = make_buffer(mesh_device, n_tiles);
        distributed::EnqueueWriteMeshBuffer(cq, a, tilize_nfaces(load(argv[7], rows * cols), rows, cols), false);
        distributed::EnqueueWriteMeshBuffer(cq, b, tilize_nfaces(load(argv[8], rows * cols), rows, cols), false);

        auto [num_cores, all_cores, group_1, group_2, per_core_1, per_core_2] =
            split_work_to_cores(CoreCoord(grid.x, grid.y), n_tiles, true);
        if (num_cores > ncores) {
            std::tie(num_cores, all_cores, group_1, group_2, per_core_1, per_core_2) =
                split_work_to_cores(CoreCoord(ncores, 1), n_tiles, true);
        }
        add_cb(program, all_cores, CBIndex::c_0, 2);
        add_cb(program, all_cores, CBIndex::c_1, 2);
        add_cb(program, all_cores, CBIndex::c_16, 2);
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
        std::map<std::string, std::string> defines;
        if (!post.empty()) {
            defines["POST_OP"] = post;
            defines["POST_OP_INIT"] = post + "_init";
        }
        auto compute = CreateKernel(program, kdir + "/compute_binary.cpp", all_cores,
                                    ComputeConfig{.math_fidelity = MathFidelity::HiFi4,
                                                  .compile_args = {op},
                                                  .defines = defines});
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
        workload.add_program(distributed::MeshCoordinateRange(mesh_device->shape()), std::move(program));
        distributed::EnqueueMeshWorkload(cq, workload, false);
        distributed::Finish(cq);
        std::vector<bfloat16> out;
        distributed::EnqueueReadMeshBuffer(cq, out, c, true);
        save(argv[9], untilize_nfaces(out, rows, cols));
    } else if (mode == "matmul") {
        const uint32_t M = std::stoul(argv[3]), K = std::stoul(argv[4]), N = std::stoul(argv[5]);
        const uint32_t ncores = std::stoul(argv[6]);
        const uint32_t Mt = M / TILE_HEIGHT, Kt = K / TILE_WIDTH, Nt = N / TILE_WIDTH;
        auto a = make_buffer(mesh_device, Mt * Kt), b = make_buffer(mesh_device, Kt * Nt),
             c = make_buffer(mesh_device, Mt * Nt);
        distributed::EnqueueWriteMeshBuffer(cq, a, tilize_nfaces(load(argv[7], M * K), M, K), false);
        distributed::EnqueueWriteMeshBuffer(cq, b, tilize_nfaces(load(argv[8], K * N), K, N), false);
        const CoreCoord use_grid = ncores >= grid.x * grid.y ? grid : CoreCoord(ncores, 1);
        auto [num_cores, all_cores, group_1, group_2, per_core_1, per_core_2] =
            split_work_to_cores(use_grid, Mt * Nt);
        add_cb(program, all_cores, CBIndex::c_0, 2);
        add_cb(program, all_cores, CBIndex::c_1, 2);
        add_cb(program, all_cores, CBIndex::c_16, 2);
        std::vector<uint32_t> reader_ct{Kt, Nt}, writer_ct;
        TensorAccessorArgs(*a).append_to(reader_ct);
        TensorAccessorArgs(*b).append_to(reader_ct);
        TensorAccessorArgs(*c).append_to(writer_ct);
        auto reader = CreateKernel(program, kdir + "/reader_matmul.cpp", all_cores,
                                   DataMovementConfig{.processor = DataMovementProcessor::RISCV_1,
                                                      .noc = NOC::RISCV_1_default,
                                                      .compile_args = reader_ct});
        auto writer = CreateKernel(program, kdir + "/writer_unary.cpp", all_cores,
                                   DataMovementConfig{.processor = DataMovementProcessor::RISCV_0,
                                                      .noc = NOC::RISCV_0_default,
                                                      .compile_args = writer_ct});
        auto compute = CreateKernel(program, kdir + "/compute_matmul.cpp", all_cores,
                                    ComputeConfig{.math_fidelity = MathFidelity::HiFi4, .compile_args = {Kt}});
        uint32_t start = 0;
        for (const auto& core : corerange_to_cores(all_cores)) {
            const uint32_t n = group_1.contains(core) ? per_core_1 : per_core_2;
            SetRuntimeArgs(program, reader, core,
                           {static_cast<uint32_t>(a->address()), static_cast<uint32_t>(b->address()), start, n});
            SetRuntimeArgs(program, writer, core, {static_cast<uint32_t>(c->address()), start, n});
            SetRuntimeArgs(program, compute, core, {n});
            start += n;
        }
        distributed::MeshWorkload workload;
        workload.add_program(distributed::MeshCoordinateRange(mesh_device->shape()), std::move(program));
        distributed::EnqueueMeshWorkload(cq, workload, false);
        distributed::Finish(cq);
        std::vector<bfloat16> out;
        distributed::EnqueueReadMeshBuffer(cq, out, c, true);
        save(argv[9], untilize_nfaces(out, M, N));
    } else {
        throw std::runtime_error("unknown mode " + mode);
    }
    mesh_device->close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return test_io::run_main(run, argc, argv); }
