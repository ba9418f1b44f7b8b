// Host program for the L1-buffer test: an L1 buffer of one page (on core (0,0)) is the staging area
// of a DRAM -> L1 -> DRAM copy whose kernel addresses the L1 buffer by its address.
//
//   l1_host <kernel_dir> <pages> <in.bin> <out.bin> <l1.bin>
//
// Errors are printed to stderr, exit code 2.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>

using namespace tt::tt_metal;

namespace {

int run(char** argv) {
    const std::string kdir = argv[1];
    const uint32_t pages = std::stoul(argv[2]);
    const uint32_t bytes = pages * 2048;
    auto device = distributed::MeshDevice::create_unit_mesh(0);
    auto& cq = device->mesh_command_queue();
    distributed::DeviceLocalBufferConfig dram{.page_size = 2048, .buffer_type = BufferType::DRAM};
    distributed::DeviceLocalBufferConfig l1{.page_size = bytes, .buffer_type = BufferType::L1};
    auto in = distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = bytes}, dram, device.get());
    auto out = distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = bytes}, dram, device.get());
    auto stage = distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = bytes}, l1, device.get());
    std::vector<uint32_t> data(bytes / 4);
    std::ifstream(argv[3], std::ios::binary).read(reinterpret_cast<char*>(data.data()), bytes);
    distributed::EnqueueWriteMeshBuffer(cq, in, data, false);

    Program program = CreateProgram();
    const CoreCoord core(0, 0);
    auto k = CreateKernel(program, kdir + "/l1_loopback.cpp", core,
                          DataMovementConfig{.processor = DataMovementProcessor::RISCV_0,
                                             .noc = NOC::RISCV_0_default,
                                             .compile_args = {device->num_dram_channels()}});
    SetRuntimeArgs(program, k, core,
                   {static_cast<uint32_t>(in->address()), static_cast<uint32_t>(out->address()),
                    static_cast<uint32_t>(stage->address()), pages});
    distributed::MeshWorkload workload;
    workload.add_program(distributed::MeshCoordinateRange(device->shape()), std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    distributed::Finish(cq);
    for (auto [buf, path] : {std::pair{out, argv[4]}, std::pair{stage, argv[5]}}) {
        std::vector<uint32_t> result;
        distributed::EnqueueReadMeshBuffer(cq, result, buf, true);
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(result.data()), bytes);
    }
    device->close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::cerr << "usage: l1_host <kernel_dir> <pages> <in.bin> <out.bin> <l1.bin>\n";
        return 1;
    }
    try {
        return run(argv);
    } catch (const std::exception& e) {
        std::cerr << e.what() << std::endl;
        return 2;
    }
}
