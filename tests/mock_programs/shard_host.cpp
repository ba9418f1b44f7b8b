// Host program for the sharded-buffer test: an L1 buffer of rows x cols 32x32 pages, sharded
// (HEIGHT / WIDTH / BLOCK, ROW_MAJOR / COL_MAJOR; N: ND sharding, see below) over the gx x gy cores from
// (0,0) in shards of shard_rows x shard_cols pages; a kernel on every core of the grid touches its own shard in place.
//
//   shard_host <kernel_dir> <H|W|B|N> <R|C> <rows> <cols> <shard_rows> <shard_cols> <gx> <gy> <in.bin> <out.bin>
//
// Errors are printed to stderr, exit code 2.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <tt-metalium/buffer_distribution_spec.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>

using namespace tt::tt_metal;

namespace {

int run(char** argv) {
    const std::string kdir = argv[1];
    const char layout = argv[2][0];
    const ShardOrientation orientation = argv[3][0] == 'R' ? ShardOrientation::ROW_MAJOR : ShardOrientation::COL_MAJOR;
    const uint32_t rows = std::stoul(argv[4]), cols = std::stoul(argv[5]);
    const uint32_t shard_rows = std::stoul(argv[6]), shard_cols = std::stoul(argv[7]);
    const uint32_t gx = std::stoul(argv[8]), gy = std::stoul(argv[9]);
    const uint32_t bytes = rows * cols * 2048;
    auto device = distributed::MeshDevice::create_unit_mesh(0);
    auto& cq = device->mesh_command_queue();
    const CoreRangeSet grid(CoreRange(CoreCoord(0, 0), CoreCoord(gx - 1, gy - 1)));
    const ShardSpecBuffer spec(grid, {shard_rows * 32, shard_cols * 32}, orientation, {32, 32}, {rows, cols});
    const TensorMemoryLayout kind = layout == 'H'   ? TensorMemoryLayout::HEIGHT_SHARDED
                                    : layout == 'W' ? TensorMemoryLayout::WIDTH_SHARDED
                                                    : TensorMemoryLayout::BLOCK_SHARDED;
    // N: ND sharding of the pages as a 2 x rows/2 x cols tensor in 1 x shard_rows x shard_cols shards
    const BufferDistributionSpec nd(Shape{2, rows / 2, cols}, Shape{1, shard_rows, shard_cols}, grid, orientation);
    uint32_t slots = shard_rows * shard_cols;
    if (layout == 'N') slots = static_cast<uint32_t>(nd.max_num_dev_pages_per_core());
    const distributed::DeviceLocalBufferConfig local{
        .page_size = 2048,
        .buffer_type = BufferType::L1,
        .sharding_args = layout == 'N' ? BufferShardingArgs(nd) : BufferShardingArgs(spec, kind)};
    auto buffer = distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = bytes}, local, device.get());
    std::vector<uint32_t> data(bytes / 4);
    std::ifstream(argv[10], std::ios::binary).read(reinterpret_cast<char*>(data.data()), bytes);
    distributed::EnqueueWriteMeshBuffer(cq, buffer, data, false);

    Program program = CreateProgram();
    auto k = CreateKernel(program, kdir + "/shard_touch.cpp", grid,
                          DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::RISCV_0_default});
    for (const CoreRange& r : grid.ranges()) {
        for (const CoreCoord& core : r) {
            SetRuntimeArgs(program, k, core, {static_cast<uint32_t>(buffer->address()), slots});
        }
    }
    distributed::MeshWorkload workload;
    workload.add_program(distributed::MeshCoordinateRange(device->shape()), std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    std::vector<uint32_t> result;
    distributed::EnqueueReadMeshBuffer(cq, result, buffer, true);
    std::ofstream(argv[11], std::ios::binary).write(reinterpret_cast<const char*>(result.data()), bytes);
    std::cout << "layout " << static_cast<int>(buffer->get_backing_buffer()->buffer_layout()) << " slots " << slots
              << " spec " << buffer->get_backing_buffer()->has_shard_spec() << "\n";
    device->close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 12) {
        std::cerr << "usage: shard_host <kernel_dir> <H|W|B|N> <R|C> <rows> <cols> <shard_rows> <shard_cols> <gx> <gy> "
                     "<in.bin> <out.bin>\n";
        return 1;
    }
    try {
        return run(argv);
    } catch (const std::exception& e) {
        std::cerr << e.what() << std::endl;
        return 2;
    }
}
