// Host program for the host-API test: the parts of the host API real programs reach through
// host_api.hpp (fmt, TT_FATAL / TT_THROW / TT_ASSERT, tt::constants, the bfloat16 helpers, tt_xy_pair,
// range-for over CoreRange, MeshBuffer::get_backing_buffer, allocator()->get_alignment, the sharded-buffer
// types, which the mock rejects when a buffer is created). Prints one
// line per check.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/constants.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>

using namespace tt::tt_metal;

int main() {
    const tt_xy_pair xy{3, 4};
    const CoreCoord core = xy;
    std::cout << fmt::format("core {} tile {}x{} hw {}", core, tt::constants::TILE_HEIGHT, tt::constants::TILE_WIDTH,
                             tt::constants::TILE_HW)
              << "\n";
    std::string cores;
    for (const CoreCoord& c : CoreRange({1, 0}, {2, 1})) cores += fmt::format("{} ", c);
    std::cout << "range " << cores << "\n";
    std::cout << fmt::format("{:>6}|{:<6}|{:^7}|{:08.3f}|{:#x}", 42, "ab", CoreRange({0, 0}, {0, 0}).size(), 3.14159, 255)
              << "\n";
    try {
        TT_FATAL(core.x == 0, "core {} is not in column {}", core, 0);
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        std::cout << "fatal " << what.substr(what.find("TT_FATAL")) .substr(0, 8) << " | "
                  << what.substr(what.find(": ") + 2) << "\n";
    }
    try {
        TT_THROW("unsupported {}", "thing");
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        std::cout << "throw " << what.substr(what.find("info:")) << "\n";
    }
    TT_ASSERT(false, "only checked with DEBUG");
    const bfloat16 three(3u);
    std::cout << fmt::format("bf16(3u)={} pack={:#x}", static_cast<float>(three),
                             pack_two_bfloat16_into_uint32({bfloat16(1.0f), bfloat16(-2.0f)}))
              << "\n";
    const std::vector<bfloat16> native = create_random_vector_of_bfloat16_native(64, 2.0f, 7, -1.0f);
    const std::vector<uint32_t> packed = create_random_vector_of_bfloat16(64, 2, 7, -1.0f);
    bool in_range = true, same = true;
    for (std::size_t i = 0; i < native.size(); ++i) {
        const float v = static_cast<float>(native[i]);
        in_range = in_range && v >= -1.0f && v <= 1.0f;
        same = same && static_cast<uint16_t>(packed[i / 2] >> (16 * (i % 2))) == native[i].to_uint16();
    }
    std::cout << "random " << native.size() << " " << packed.size() << " in_range=" << in_range << " same=" << same
              << "\n";

    auto device = distributed::MeshDevice::create_unit_mesh(0);
    auto buf = distributed::MeshBuffer::create(distributed::ReplicatedBufferConfig{.size = 4096},
                                               distributed::DeviceLocalBufferConfig{.page_size = 2048,
                                                                                    .buffer_type = BufferType::DRAM},
                                               device.get());
    Buffer* backing = buf->get_backing_buffer();
    std::cout << fmt::format("backing address={} same={} pages={} dram_align={} l1_align={}", backing->address(),
                             backing->address() == buf->address(), backing->num_pages(),
                             device->allocator()->get_alignment(BufferType::DRAM),
                             device->allocator()->get_alignment(BufferType::L1))
              << "\n";
    const ShardSpecBuffer shard(CoreRangeSet(CoreRange({0, 0}, {1, 0})), {32, 32}, ShardOrientation::ROW_MAJOR,
                                {32, 32}, {2, 1});
    std::cout << "shard pages " << shard.num_pages() << " cores " << shard.grid().num_cores() << "\n";
    auto sharded = distributed::MeshBuffer::create(
        distributed::ReplicatedBufferConfig{.size = 4096},
        distributed::DeviceLocalBufferConfig{.page_size = 2048,
                                             .buffer_type = BufferType::L1,
                                             .sharding_args = BufferShardingArgs(shard, TensorMemoryLayout::HEIGHT_SHARDED)},
        device.get());
    std::cout << "sharded layout " << static_cast<int>(sharded->get_backing_buffer()->buffer_layout()) << " has_spec "
              << sharded->get_backing_buffer()->has_shard_spec() << "\n";
    try {  // 2 shards of one page do not fit a grid of one core
        const ShardSpecBuffer one(CoreRangeSet(CoreRange({0, 0}, {0, 0})), {32, 32}, ShardOrientation::ROW_MAJOR,
                                  {32, 32}, {2, 1});
        distributed::MeshBuffer::create(
            distributed::ReplicatedBufferConfig{.size = 4096},
            distributed::DeviceLocalBufferConfig{.page_size = 2048,
                                                 .buffer_type = BufferType::L1,
                                                 .sharding_args = BufferShardingArgs(one, TensorMemoryLayout::HEIGHT_SHARDED)},
            device.get());
    } catch (const std::runtime_error& e) {
        std::cout << e.what() << "\n";
    }
    device->close();
    return 0;
}
