// Host program for the compute-API tests (reduce, broadcast, SFPU, transpose, tilize/untilize): one core,
// written against the TT-Metalium host API only.
//
//   compute_ops_host <dm_kernel_dir> <compute.cpp> <na> <nb> <nout> <out_cb> <ct_args> <rt_args> <defines> <a.bin> <b.bin> <out.bin>
//
// a.bin / b.bin hold na / nb pages of 1024 bf16 values, out.bin receives nout pages. A page is copied to the
// device as is: the test passes tiles already in the Tensix face layout, or row-major rows for tilize and
// untilize. The reader pushes A's pages one at a time into CB 0 and all of B's pages into CB 1 up front;
// <dm_kernel_dir> holds ops_reader.cpp and ops_writer.cpp;
// the writer drains nout pages from <out_cb>; CBs 2 and 3 (unless the output) hold intermediates. ct_args / rt_args: comma-separated uint32 lists for the
// compute kernel ("-" for none); defines: "NAME=VALUE|NAME=VALUE" ("-" for none).
// Errors are printed to stderr, exit code 2.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/constants.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>

using namespace tt;
using namespace tt::tt_metal;
using namespace tt::constants;

namespace {

constexpr uint32_t kPage = sizeof(bfloat16) * TILE_HW;

std::vector<bfloat16> load(const std::string& path, std::size_t count) {
    std::vector<bfloat16> v(count);
    std::ifstream f(path, std::ios::binary);
    f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(bfloat16)));
    if (!f) throw std::runtime_error("cannot read " + path);
    return v;
}

std::vector<uint32_t> uints(const std::string& text) {
    std::vector<uint32_t> out;
    if (text == "-") return out;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');) out.push_back(static_cast<uint32_t>(std::stoul(item)));
    return out;
}

std::map<std::string, std::string> defines_of(const std::string& text) {
    std::map<std::string, std::string> out;
    if (text == "-") return out;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, '|');) {
        const auto eq = item.find('=');
        out[item.substr(0, eq)] = eq == std::string::npos ? "1" : item.substr(eq + 1);
    }
    return out;
}

std::shared_ptr<distributed::MeshBuffer> pages(distributed::MeshDevice* dev, uint32_t n) {
    distributed::DeviceLocalBufferConfig dram{.page_size = kPage, .buffer_type = BufferType::DRAM};
    return distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = kPage * n}, dram, dev);
}

void add_cb(Program& program, const CoreCoord& core, uint32_t index, uint32_t n) {
    CircularBufferConfig cfg =
        CircularBufferConfig(n * kPage, {{index, tt::DataFormat::Float16_b}}).set_page_size(index, kPage);
    CreateCircularBuffer(program, core, cfg);
}

int run(int argc, char** argv) {
    if (argc != 13) throw std::runtime_error("usage: compute_ops_host <dm_kernel_dir> <compute.cpp> <na> <nb> ...");
    const std::string kdir = argv[1];
    const std::string kernel = argv[2];
    ++argv;  // the remaining arguments as documented, from argv[2] on
    const uint32_t na = std::stoul(argv[2]), nb = std::stoul(argv[3]), nout = std::stoul(argv[4]);
    const uint32_t out_cb = std::stoul(argv[5]);
    auto device = distributed::MeshDevice::create_unit_mesh(0);
    distributed::MeshCommandQueue& cq = device->mesh_command_queue();
    Program program = CreateProgram();
    const CoreCoord core(0, 0);
    auto a = pages(device.get(), std::max(na, 1u)), b = pages(device.get(), std::max(nb, 1u)),
         c = pages(device.get(), nout);
    if (na) distributed::EnqueueWriteMeshBuffer(cq, a, load(argv[9], na * TILE_HW), false);
    if (nb) distributed::EnqueueWriteMeshBuffer(cq, b, load(argv[10], nb * TILE_HW), false);
    add_cb(program, core, CBIndex::c_0, std::max(na, 2u));
    add_cb(program, core, CBIndex::c_1, std::max(nb, 1u));
    add_cb(program, core, out_cb, std::max(nout, 2u));
    for (uint32_t extra : {2u, 3u}) {  // intermediate CBs of the multi-stage kernels
        if (extra != out_cb) add_cb(program, core, extra, std::max(na, 2u));
    }
    std::vector<uint32_t> reader_ct, writer_ct = {out_cb};
    TensorAccessorArgs(*a).append_to(reader_ct);
    TensorAccessorArgs(*b).append_to(reader_ct);
    TensorAccessorArgs(*c).append_to(writer_ct);
    auto reader = CreateKernel(program, kdir + "/ops_reader.cpp", core,
                               DataMovementConfig{.processor = DataMovementProcessor::RISCV_1,
                                                  .noc = NOC::RISCV_1_default, .compile_args = reader_ct});
    auto writer = CreateKernel(program, kdir + "/ops_writer.cpp", core,
                               DataMovementConfig{.processor = DataMovementProcessor::RISCV_0,
                                                  .noc = NOC::RISCV_0_default, .compile_args = writer_ct});
    auto compute = CreateKernel(program, kernel, core,
                                ComputeConfig{.math_fidelity = MathFidelity::HiFi4, .compile_args = uints(argv[6]),
                                              .defines = defines_of(argv[8])});
    SetRuntimeArgs(program, reader, core,
                   {static_cast<uint32_t>(a->address()), na, static_cast<uint32_t>(b->address()), nb});
    SetRuntimeArgs(program, writer, core, {static_cast<uint32_t>(c->address()), nout});
    SetRuntimeArgs(program, compute, core, uints(argv[7]));
    distributed::MeshWorkload workload;
    workload.add_program(distributed::MeshCoordinateRange(device->shape()), std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    distributed::Finish(cq);
    std::vector<bfloat16> out;
    distributed::EnqueueReadMeshBuffer(cq, out, c, true);
    std::ofstream f(argv[11], std::ios::binary);
    f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(bfloat16)));
    device->close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << std::endl;
        return 2;
    }
}
