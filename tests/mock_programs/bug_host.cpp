// Host program for the planted-bug tests: one core ((0,0) unless given), optional kernels per
// processor, CBs of Float16_b tiles, one 4-tile DRAM buffer whose address is runtime arg 0 of the
// data-movement kernels.
//
//   bug_host <riscv0 kernel|-> <riscv1 kernel|-> <compute kernel|-> <cb spec "id:pages,..."> [<x>,<y>]
//
// Exit code 0 on success; on error prints the exception text to stderr and exits 2.
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>

using namespace tt::tt_metal;

int main(int argc, char** argv) {
    if (argc != 5 && argc != 6) {
        std::cerr << "usage: bug_host <riscv0|-> <riscv1|-> <compute|-> <cbs> [<x>,<y>]\n";
        return 1;
    }
    try {
        auto device = distributed::MeshDevice::create_unit_mesh(0);
        auto& cq = device->mesh_command_queue();
        Program program = CreateProgram();
        CoreCoord core{0, 0};
        if (argc == 6) {
            const std::string xy = argv[5];
            core = CoreCoord(std::stoul(xy.substr(0, xy.find(','))), std::stoul(xy.substr(xy.find(',') + 1)));
        }
        auto buf = distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = 4 * 2048},
                                                   distributed::DeviceLocalBufferConfig{.page_size = 2048,
                                                                                        .buffer_type = BufferType::DRAM},
                                                   device.get());
        std::stringstream spec(argv[4]);
        std::string item;
        while (std::getline(spec, item, ',')) {
            const auto colon = item.find(':');
            const uint32_t id = std::stoul(item.substr(0, colon));
            const uint32_t pages = std::stoul(item.substr(colon + 1));
            CreateCircularBuffer(program, core,
                                 CircularBufferConfig(pages * 2048, {{static_cast<uint8_t>(id), tt::DataFormat::Float16_b}})
                                     .set_page_size(static_cast<uint8_t>(id), 2048));
        }
        std::vector<uint32_t> ct;
        TensorAccessorArgs(*buf).append_to(ct);
        for (int p = 0; p < 2; ++p) {
            if (std::string(argv[1 + p]) == "-") continue;
            auto k = CreateKernel(program, argv[1 + p], core,
                                  DataMovementConfig{.processor = p == 0 ? DataMovementProcessor::RISCV_0
                                                                         : DataMovementProcessor::RISCV_1,
                                                     .noc = p == 0 ? NOC::RISCV_0_default : NOC::RISCV_1_default,
                                                     .compile_args = ct});
            SetRuntimeArgs(program, k, core, {static_cast<uint32_t>(buf->address())});
        }
        if (std::string(argv[3]) != "-") {
            CreateKernel(program, argv[3], core, ComputeConfig{});
        }
        distributed::MeshWorkload workload;
        workload.add_program(distributed::MeshCoordinateRange(device->shape()), std::move(program));
        distributed::EnqueueMeshWorkload(cq, workload, true);
        distributed::Finish(cq);
        device->close();
    } catch (const std::exception& e) {
        std::cerr << e.what() << std::endl;
        return 2;
    }
    return 0;
}
