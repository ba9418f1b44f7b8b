// Host program of the 2-D multicast GEMM (tests/mock_programs/gemm2d): C = A @ B on a G x G grid,
// core (x, y) computing the Mb x Nb tile block (y, x) of C; the A blocks of a row are read once by
// the row's first core and multicast along the row, the B blocks of a column by the column's first
// core and multicast down it (the scheme of ttnn's 2-D multicast matmul).
//
//   gemm2d_host <kernel_dir> <M> <K> <N> <G> <Kb> <fidelity 0|2|3|4> <a.bin> <b.bin> <out.bin>
//
// Matrices are raw row-major bf16 files. Errors are printed to stderr, exit code 2.
#include <cstdint>
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

using namespace tt;
using namespace tt::tt_metal;

namespace {

std::vector<bfloat16> load(const std::string& path, std::size_t count) {
    std::vector<bfloat16> v(count);
    std::ifstream f(path, std::ios::binary);
    f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(bfloat16)));
    if (!f) throw std::runtime_error("cannot read " + path);
    return v;
}

uint32_t largest_divisor_at_most(uint32_t n, uint32_t cap) {
    uint32_t best = 1;
    for (uint32_t d = 1; d <= cap && d <= n; ++d) {
        if (n % d == 0) best = d;
    }
    return best;
}

int run(char** argv) {
    const std::string kdir = argv[1];
    const uint32_t M = std::stoul(argv[2]), K = std::stoul(argv[3]), N = std::stoul(argv[4]);
    const uint32_t G = std::stoul(argv[5]), Kb = std::stoul(argv[6]), fidelity = std::stoul(argv[7]);
    const uint32_t Mt = M / 32, Kt = K / 32, Nt = N / 32;
    TT_FATAL(Mt % G == 0 && Nt % G == 0 && Kt % Kb == 0, "{}x{}x{} tiles do not split over {}x{} cores with K blocks of {}",
             Mt, Kt, Nt, G, G, Kb);
    const uint32_t Mb = Mt / G, Nb = Nt / G;
    const uint32_t SW = largest_divisor_at_most(Nb, 4), SH = largest_divisor_at_most(Mb, 8 / SW);
    constexpr uint32_t tile = 2048;

    auto device = distributed::MeshDevice::create_unit_mesh(0);
    auto& cq = device->mesh_command_queue();
    distributed::DeviceLocalBufferConfig dram{.page_size = tile, .buffer_type = BufferType::DRAM};
    auto make = [&](uint32_t tiles) {
        return distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = tiles * tile}, dram,
                                               device.get());
    };
    auto a = make(Mt * Kt), b = make(Kt * Nt), c = make(Mt * Nt);
    distributed::EnqueueWriteMeshBuffer(cq, a, tilize_nfaces(load(argv[8], M * K), M, K), false);
    distributed::EnqueueWriteMeshBuffer(cq, b, tilize_nfaces(load(argv[9], K * N), K, N), false);

    Program program = CreateProgram();
    const CoreRange all({0, 0}, {G - 1, G - 1});
    auto add_cb = [&](uint8_t index, uint32_t pages) {
        CreateCircularBuffer(program, all,
                             CircularBufferConfig(pages * tile, {{index, tt::DataFormat::Float16_b}}).set_page_size(index, tile));
    };
    add_cb(CBIndex::c_0, 2 * Mb * Kb);
    add_cb(CBIndex::c_1, 2 * Kb * Nb);
    add_cb(CBIndex::c_16, Mb * Nb);
    add_cb(CBIndex::c_24, Mb * Nb);
    const uint32_t a_sender = CreateSemaphore(program, all, 0), a_recv = CreateSemaphore(program, all, 0);
    const uint32_t b_sender = CreateSemaphore(program, all, 0), b_recv = CreateSemaphore(program, all, 0);

    std::vector<uint32_t> in0_ct{Mb, Kb, Kt, G - 1, a_sender, a_recv};
    TensorAccessorArgs(*a).append_to(in0_ct);
    std::vector<uint32_t> in1_ct{Nb, Kb, Kt, Nt, G - 1, b_sender, b_recv, Mb, SH, SW};
    TensorAccessorArgs(*b).append_to(in1_ct);
    TensorAccessorArgs(*c).append_to(in1_ct);
    auto in0 = CreateKernel(program, kdir + "/reader_in0.cpp", all,
                            DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = NOC::NOC_0,
                                               .compile_args = in0_ct});
    auto in1 = CreateKernel(program, kdir + "/reader_in1_writer.cpp", all,
                            DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::NOC_0,
                                               .compile_args = in1_ct});
    CreateKernel(program, kdir + "/compute.cpp", all,
                 ComputeConfig{.math_fidelity = static_cast<MathFidelity>(fidelity), .compile_args = {Mb, Nb, Kb, Kt, SH, SW}});

    for (const CoreCoord& core : all) {
        const CoreCoord row0 = device->worker_core_from_logical_core({0, core.y});
        const CoreCoord col0 = device->worker_core_from_logical_core({core.x, 0});
        const CoreCoord row_first = device->worker_core_from_logical_core({G > 1 ? 1u : 0u, core.y});
        const CoreCoord row_last = device->worker_core_from_logical_core({G - 1, core.y});
        const CoreCoord col_first = device->worker_core_from_logical_core({core.x, G > 1 ? 1u : 0u});
        const CoreCoord col_last = device->worker_core_from_logical_core({core.x, G - 1});
        auto u = [](std::size_t v) { return static_cast<uint32_t>(v); };
        SetRuntimeArgs(program, in0, core,
                       {u(a->address()), u(core.y * Mb * Kt), u(row_first.x), u(row_first.y), u(row_last.x),
                        u(row_last.y), u(row0.x), u(row0.y), core.x == 0 ? 1u : 0u});
        SetRuntimeArgs(program, in1, core,
                       {u(b->address()), u(core.x * Nb), u(col_first.x), u(col_first.y), u(col_last.x), u(col_last.y),
                        u(col0.x), u(col0.y), core.y == 0 ? 1u : 0u, u(c->address()),
                        u(core.y * Mb * Nt + core.x * Nb)});
    }
    distributed::MeshWorkload workload;
    workload.add_program(distributed::MeshCoordinateRange(device->shape()), std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    distributed::Finish(cq);
    std::vector<bfloat16> out;
    distributed::EnqueueReadMeshBuffer(cq, out, c, true);
    const std::vector<bfloat16> rows = untilize_nfaces(out, M, N);
    std::ofstream(argv[10], std::ios::binary)
        .write(reinterpret_cast<const char*>(rows.data()), static_cast<std::streamsize>(rows.size() * sizeof(bfloat16)));
    device->close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 11) {
        std::cerr << "usage: gemm2d_host <kernel_dir> <M> <K> <N> <G> <Kb> <fidelity> <a.bin> <b.bin> <out.bin>\n";
        return 1;
    }
    try {
        return run(argv);
    } catch (const std::exception& e) {
        std::cerr << e.what() << std::endl;
        return 2;
    }
}
