// Host program for the multicast tests: on each line of cores (a row or a column of a cols x rows
// grid), the first core reads the line's blocks from DRAM and multicasts them to the other cores of
// the line, which announce their readiness and learn of the data through semaphores; every core
// writes the blocks it holds to its own slot of the output.
//
//   mcast_host <kernel_dir> <row|col> <cols> <rows> <blocks> <tiles per block> <in.bin> <out.bin> [option ...]
//
// Options: incl (the rectangle includes the sender, non-loopback), loopback (includes it and writes
// it), noc1 (the sender multicasts on NOC 1, corners given bottom-right first), object (the kernels
// written with the object API: Noc, CircularBuffer, Semaphore, MulticastEndpoint); planted bugs:
// bad_num_dests, bad_order, bad_valid (receivers wait for a value never sent), no_ready_wait (the
// sender does not wait for the receivers), no_write_barrier (instead of its write barrier the sender copies
// the block's last page over its first one with a local NOC read while the multicast reads it). Tiles are 2048-byte pages copied bit for bit.
// Errors are printed to stderr, exit code 2.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>

using namespace tt;
using namespace tt::tt_metal;

namespace {

constexpr uint32_t kTileBytes = 2048;

int run(int argc, char** argv) {
    if (argc < 9) throw std::runtime_error("usage: mcast_host <kernel_dir> <row|col> <cols> <rows> <blocks> <tiles> <in> <out> [opts]");
    const std::string kdir = argv[1];
    const bool by_row = std::string(argv[2]) == "row";
    const uint32_t cols = std::stoul(argv[3]), rows = std::stoul(argv[4]);
    const uint32_t blocks = std::stoul(argv[5]), tiles = std::stoul(argv[6]);
    const std::set<std::string> opts(argv + 9, argv + argc);
    const bool incl = opts.count("incl") != 0, loopback = opts.count("loopback") != 0, noc1 = opts.count("noc1") != 0;

    const uint32_t lines = by_row ? rows : cols, len = by_row ? cols : rows;
    const uint32_t line_tiles = blocks * tiles;
    auto device = distributed::MeshDevice::create_unit_mesh(0);
    auto& cq = device->mesh_command_queue();
    distributed::DeviceLocalBufferConfig dram{.page_size = kTileBytes, .buffer_type = BufferType::DRAM};
    auto in = distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = lines * line_tiles * kTileBytes},
                                              dram, device.get());
    auto out = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = lines * len * line_tiles * kTileBytes}, dram, device.get());
    std::vector<bfloat16> data(static_cast<std::size_t>(lines) * line_tiles * kTileBytes / 2);
    {
        std::ifstream f(argv[7], std::ios::binary);
        f.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size() * 2));
        if (!f) throw std::runtime_error(std::string("cannot read ") + argv[7]);
    }
    distributed::EnqueueWriteMeshBuffer(cq, in, data, false);

    Program program = CreateProgram();
    const CoreRange all(CoreCoord(0, 0), CoreCoord(cols - 1, rows - 1));
    CreateCircularBuffer(program, all,
                         CircularBufferConfig(2 * tiles * kTileBytes, {{CBIndex::c_0, tt::DataFormat::Float16_b}})
                             .set_page_size(CBIndex::c_0, kTileBytes));
    const uint32_t sender_sem = CreateSemaphore(program, all, 0);
    const uint32_t receiver_sem = CreateSemaphore(program, all, 0);

    std::set<CoreRange> senders, receivers;
    for (uint32_t i = 0; i < lines; ++i) {
        const CoreCoord first = by_row ? CoreCoord(0, i) : CoreCoord(i, 0);
        const CoreCoord second = by_row ? CoreCoord(1, i) : CoreCoord(i, 1);
        const CoreCoord last = by_row ? CoreCoord(len - 1, i) : CoreCoord(i, len - 1);
        senders.insert(CoreRange(first, first));
        receivers.insert(CoreRange(second, last));
    }
    const CoreRangeSet sender_set(senders), receiver_set(receivers);

    std::vector<uint32_t> sender_ct{blocks, tiles, sender_sem, receiver_sem};
    TensorAccessorArgs(*in).append_to(sender_ct);
    std::map<std::string, std::string> defines;
    if (loopback) defines["LOOPBACK"] = "1";
    if (opts.count("no_ready_wait")) defines["SKIP_READY_WAIT"] = "1";
    if (opts.count("no_write_barrier")) defines["SKIP_WRITE_BARRIER"] = "1";
    const std::string flavour = opts.count("object") ? "_obj" : "";
    auto sender = CreateKernel(program, kdir + "/sender" + flavour + ".cpp", sender_set,
                               DataMovementConfig{.processor = DataMovementProcessor::RISCV_0,
                                                  .noc = noc1 ? NOC::NOC_1 : NOC::NOC_0,
                                                  .compile_args = sender_ct,
                                                  .defines = defines});
    const uint32_t valid = opts.count("bad_valid") ? 2 : 1;
    auto receiver = CreateKernel(program, kdir + "/receiver" + flavour + ".cpp", receiver_set,
                                 DataMovementConfig{.processor = DataMovementProcessor::RISCV_0,
                                                    .noc = NOC::NOC_0,
                                                    .compile_args = {blocks, tiles, sender_sem, receiver_sem, valid}});
    std::vector<uint32_t> writer_ct{blocks, tiles};
    TensorAccessorArgs(*out).append_to(writer_ct);
    auto writer = CreateKernel(program, kdir + "/writer.cpp", all,
                               DataMovementConfig{.processor = DataMovementProcessor::RISCV_1,
                                                  .noc = NOC::RISCV_1_default,
                                                  .compile_args = writer_ct});

    for (uint32_t i = 0; i < lines; ++i) {
        const CoreCoord first = by_row ? CoreCoord(0, i) : CoreCoord(i, 0);
        const CoreCoord second = by_row ? CoreCoord(1, i) : CoreCoord(i, 1);
        const CoreCoord last = by_row ? CoreCoord(len - 1, i) : CoreCoord(i, len - 1);
        const CoreCoord me = device->worker_core_from_logical_core(first);
        CoreCoord start = device->worker_core_from_logical_core(incl || loopback ? first : second);
        CoreCoord end = device->worker_core_from_logical_core(last);
        if (noc1 != opts.count("bad_order")) std::swap(start, end);
        uint32_t num_dests = loopback ? len : len - 1;
        if (opts.count("bad_num_dests")) ++num_dests;
        SetRuntimeArgs(program, sender, first,
                       {static_cast<uint32_t>(in->address()), i * line_tiles, static_cast<uint32_t>(start.x),
                        static_cast<uint32_t>(start.y), static_cast<uint32_t>(end.x), static_cast<uint32_t>(end.y),
                        num_dests, len - 1});
        for (uint32_t j = 0; j < len; ++j) {
            const CoreCoord core = by_row ? CoreCoord(j, i) : CoreCoord(i, j);
            if (j > 0) SetRuntimeArgs(program, receiver, core, {static_cast<uint32_t>(me.x), static_cast<uint32_t>(me.y)});
            SetRuntimeArgs(program, writer, core, {static_cast<uint32_t>(out->address()), (i * len + j) * line_tiles});
        }
    }
    distributed::MeshWorkload workload;
    workload.add_program(distributed::MeshCoordinateRange(device->shape()), std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    distributed::Finish(cq);
    std::vector<bfloat16> result;
    distributed::EnqueueReadMeshBuffer(cq, result, out, true);
    std::ofstream f(argv[8], std::ios::binary);
    f.write(reinterpret_cast<const char*>(result.data()), static_cast<std::streamsize>(result.size() * 2));
    device->close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << e.what() << std::endl;
        return 2;
    }
}
