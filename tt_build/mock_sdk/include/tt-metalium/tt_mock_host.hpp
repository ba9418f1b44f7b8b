// tt-build mock SDK: the host API (tt::tt_metal and tt::tt_metal::distributed), as one internal
// header. The public headers at the real include paths (host_api.hpp, distributed.hpp, ...) include it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

#include <fmt/base.h>

#include "tt-metalium/assert.hpp"

// ---------------------------------------------------------------------------------------------
// Core coordinates (global namespace, as in tt-metal: CoreCoord is UMD's tt_xy_pair)
// ---------------------------------------------------------------------------------------------
namespace tt::umd {
struct xy_pair {
    std::size_t x = 0;
    std::size_t y = 0;
    constexpr xy_pair() = default;
    constexpr xy_pair(std::size_t x_, std::size_t y_) : x(x_), y(y_) {}
    std::string str() const { return "(x=" + std::to_string(x) + ",y=" + std::to_string(y) + ")"; }
    friend constexpr bool operator==(const xy_pair& a, const xy_pair& b) { return a.x == b.x && a.y == b.y; }
    friend constexpr bool operator!=(const xy_pair& a, const xy_pair& b) { return !(a == b); }
    // row-major order (y first), as tt-metal orders cores
    friend constexpr bool operator<(const xy_pair& a, const xy_pair& b) {
        return a.y < b.y || (a.y == b.y && a.x < b.x);
    }
};
}  // namespace tt::umd
using tt_xy_pair = tt::umd::xy_pair;
using CoreCoord = tt_xy_pair;
constexpr bool operator<=(const CoreCoord& a, const CoreCoord& b) { return (a < b) || (a == b); }

struct CoreRange {
    CoreCoord start_coord;
    CoreCoord end_coord;
    CoreRange(const CoreCoord& point) : start_coord(point), end_coord(point) {}
    CoreRange(const CoreCoord& start, const CoreCoord& end) : start_coord(start), end_coord(end) {
        if (end.x < start.x || end.y < start.y) {
            throw std::invalid_argument("CoreRange: end " + end.str() + " is before start " + start.str());
        }
    }
    std::size_t size() const { return (end_coord.x - start_coord.x + 1) * (end_coord.y - start_coord.y + 1); }
    CoreCoord grid_size() const { return {end_coord.x - start_coord.x + 1, end_coord.y - start_coord.y + 1}; }
    bool contains(const CoreCoord& c) const {
        return c.x >= start_coord.x && c.x <= end_coord.x && c.y >= start_coord.y && c.y <= end_coord.y;
    }
    std::string str() const { return "[" + start_coord.str() + " - " + end_coord.str() + "]"; }

    // Row-major iteration over the cores of the range (range-for).
    class CoreIterator {
    public:
        CoreIterator(const CoreCoord& current, const CoreRange& core_range) : current_(current), range_(core_range) {}
        CoreCoord& operator*() { return current_; }
        CoreIterator& operator++() {
            if (current_.x < range_.end_coord.x) {
                ++current_.x;
            } else {
                current_.x = range_.start_coord.x;
                ++current_.y;
            }
            return *this;
        }
        bool operator==(const CoreIterator& other) const { return current_ == other.current_; }
        bool operator!=(const CoreIterator& other) const { return !(*this == other); }

    private:
        CoreCoord current_;
        const CoreRange& range_;
    };
    CoreIterator begin() const { return CoreIterator(start_coord, *this); }
    CoreIterator end() const { return CoreIterator(CoreCoord(start_coord.x, end_coord.y + 1), *this); }

    friend bool operator==(const CoreRange& a, const CoreRange& b) {
        return a.start_coord == b.start_coord && a.end_coord == b.end_coord;
    }
    friend bool operator<(const CoreRange& a, const CoreRange& b) {
        return a.start_coord < b.start_coord || (a.start_coord == b.start_coord && a.end_coord < b.end_coord);
    }
};

class CoreRangeSet {
public:
    CoreRangeSet() = default;
    CoreRangeSet(const CoreRange& r) : ranges_{r} {}
    CoreRangeSet(const std::vector<CoreRange>& rs) : ranges_(rs) {}
    CoreRangeSet(const std::set<CoreRange>& rs) : ranges_(rs.begin(), rs.end()) {}
    const std::vector<CoreRange>& ranges() const { return ranges_; }
    std::size_t size() const { return ranges_.size(); }
    bool empty() const { return ranges_.empty(); }
    std::uint32_t num_cores() const {
        std::uint32_t n = 0;
        for (const auto& r : ranges_) n += static_cast<std::uint32_t>(r.size());
        return n;
    }
    bool contains(const CoreCoord& c) const {
        for (const auto& r : ranges_)
            if (r.contains(c)) return true;
        return false;
    }
    CoreRangeSet merge(const CoreRangeSet& other) const {
        std::vector<CoreRange> rs = ranges_;
        rs.insert(rs.end(), other.ranges_.begin(), other.ranges_.end());
        return CoreRangeSet(rs);
    }
    CoreRange bounding_box() const;
    std::string str() const {
        std::string s = "{";
        for (std::size_t i = 0; i < ranges_.size(); ++i) s += (i ? ", " : "") + ranges_[i].str();
        return s + "}";
    }

private:
    std::vector<CoreRange> ranges_;
};

// {fmt} formatting of core coordinates, ranges and range sets (as their str()).
template <>
struct fmt::formatter<CoreCoord> : fmt::formatter<std::string_view> {
    auto format(const CoreCoord& c, format_context& ctx) const -> format_context::iterator {
        return fmt::formatter<std::string_view>::format(c.str(), ctx);
    }
};
template <>
struct fmt::formatter<CoreRange> : fmt::formatter<std::string_view> {
    auto format(const CoreRange& r, format_context& ctx) const -> format_context::iterator {
        return fmt::formatter<std::string_view>::format(r.str(), ctx);
    }
};
template <>
struct fmt::formatter<CoreRangeSet> : fmt::formatter<std::string_view> {
    auto format(const CoreRangeSet& r, format_context& ctx) const -> format_context::iterator {
        return fmt::formatter<std::string_view>::format(r.str(), ctx);
    }
};

std::vector<CoreCoord> corerange_to_cores(const CoreRangeSet& crs, std::optional<std::uint32_t> max_cores = std::nullopt,
                                          bool row_wise = false);

// The first num_cores cores of a grid_size_x x grid_size_y grid, row by row (row_wise) or column by column.
std::vector<CoreCoord> grid_to_cores(std::uint32_t num_cores, std::uint32_t grid_size_x, std::uint32_t grid_size_y,
                                     bool row_wise = false);
// Every core of the rectangle [start, end].
std::vector<CoreCoord> grid_to_cores(CoreCoord start, CoreCoord end, bool row_wise = false);

enum class MathFidelity : std::uint8_t { LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4, Invalid = 0xff };
enum class UnpackToDestMode : std::uint8_t { UnpackToDestFp32, Default };

namespace tt {

enum class ARCH { GRAYSKULL = 0, WORMHOLE_B0 = 1, BLACKHOLE = 2, QUASAR = 3, Invalid = 0xff };

enum class DataFormat : std::uint8_t {
    Float32 = 0,
    Float16 = 1,
    Bfp8 = 2,
    Bfp4 = 3,
    Tf32 = 4,
    Float16_b = 5,
    Bfp8_b = 6,
    Bfp4_b = 7,
    Int32 = 8,
    UInt16 = 9,
    Lf8 = 10,
    Bfp2 = 11,
    Int8 = 14,
    Bfp2_b = 15,
    UInt32 = 24,
    UInt8 = 30,
    Invalid = 0xff,
};

// c_32..c_63 exist on Blackhole only.
enum CBIndex : std::uint8_t {
    c_0 = 0, c_1, c_2, c_3, c_4, c_5, c_6, c_7, c_8, c_9, c_10, c_11, c_12, c_13, c_14, c_15,
    c_16, c_17, c_18, c_19, c_20, c_21, c_22, c_23, c_24, c_25, c_26, c_27, c_28, c_29, c_30, c_31,
    c_32, c_33, c_34, c_35, c_36, c_37, c_38, c_39, c_40, c_41, c_42, c_43, c_44, c_45, c_46, c_47,
    c_48, c_49, c_50, c_51, c_52, c_53, c_54, c_55, c_56, c_57, c_58, c_59, c_60, c_61, c_62, c_63,
};

// Bytes of one 32x32 tile in the given format.
std::uint32_t tile_size(DataFormat format);

enum class CoreType { WORKER, ETH, PCIE, DRAM, ACTIVE_ETH, IDLE_ETH, ROUTER_ONLY, TENSIX = WORKER };

}  // namespace tt

namespace tt::tt_metal {

using ::CoreCoord;
using ::CoreRange;
using ::CoreRangeSet;
using DeviceAddr = std::uint64_t;
using KernelHandle = std::uint32_t;
using CBHandle = std::uintptr_t;
using CoreType = tt::CoreType;

enum class BufferType { DRAM, L1, SYSTEM_MEMORY, L1_SMALL, TRACE };
enum class TensorMemoryLayout { INTERLEAVED = 0, HEIGHT_SHARDED = 2, WIDTH_SHARDED = 3, BLOCK_SHARDED = 4, ND_SHARDED = 5 };
enum class ShardOrientation { ROW_MAJOR = 0, COL_MAJOR };
// How BufferDistributionSpec deals shards to its cores (the mock implements ROUND_ROBIN_1D).
enum class ShardDistributionStrategy { ROUND_ROBIN_1D = 0, GRID_2D = 1, CONTIGUOUS_1D = 2 };
enum class DataMovementProcessor { RISCV_0 = 0, RISCV_1 = 1 };
enum NOC : std::uint8_t { RISCV_0_default = 0, RISCV_1_default = 1, NOC_0 = 0, NOC_1 = 1 };
enum NOC_MODE : std::uint8_t { DM_DEDICATED_NOC = 0, DM_DYNAMIC_NOC = 1 };
enum class KernelBuildOptLevel : std::uint8_t { O1, O2, O3, O0, Os, Ofast, Oz };

struct DataMovementConfig {
    DataMovementProcessor processor = DataMovementProcessor::RISCV_0;
    NOC noc = NOC::RISCV_0_default;
    NOC_MODE noc_mode = NOC_MODE::DM_DEDICATED_NOC;
    std::vector<std::uint32_t> compile_args;
    std::map<std::string, std::string> defines;
    std::unordered_map<std::string, std::uint32_t> named_compile_args;
    KernelBuildOptLevel opt_level = KernelBuildOptLevel::O2;
};

struct ReaderDataMovementConfig : public DataMovementConfig {
    ReaderDataMovementConfig(std::vector<std::uint32_t> compile_args = {}, std::map<std::string, std::string> defines = {},
                             std::unordered_map<std::string, std::uint32_t> named_compile_args = {},
                             KernelBuildOptLevel opt_level = KernelBuildOptLevel::O2);
};
struct WriterDataMovementConfig : public DataMovementConfig {
    WriterDataMovementConfig(std::vector<std::uint32_t> compile_args = {}, std::map<std::string, std::string> defines = {},
                             std::unordered_map<std::string, std::uint32_t> named_compile_args = {},
                             KernelBuildOptLevel opt_level = KernelBuildOptLevel::O2);
};

struct ComputeConfig {
    MathFidelity math_fidelity = MathFidelity::HiFi4;
    bool fp32_dest_acc_en = false;
    bool dst_full_sync_en = false;
    std::vector<UnpackToDestMode> unpack_to_dest_mode;
    bool bfp8_pack_precise = false;
    bool math_approx_mode = false;
    std::vector<std::uint32_t> compile_args;
    std::map<std::string, std::string> defines;
    std::unordered_map<std::string, std::uint32_t> named_compile_args;
    KernelBuildOptLevel opt_level = KernelBuildOptLevel::O3;
};

struct EthernetConfig {
    std::vector<std::uint32_t> compile_args;
    std::map<std::string, std::string> defines;
};

class CircularBufferConfig {
public:
    CircularBufferConfig(std::uint32_t total_size);
    CircularBufferConfig(std::uint32_t total_size, const std::map<std::uint8_t, tt::DataFormat>& data_format_spec);
    CircularBufferConfig& set_page_size(std::uint8_t buffer_index, std::uint32_t page_size);
    CircularBufferConfig& set_total_size(std::uint32_t total_size);
    std::uint32_t total_size() const { return total_size_; }
    const std::map<std::uint8_t, tt::DataFormat>& data_formats() const { return formats_; }
    const std::map<std::uint8_t, std::uint32_t>& page_sizes() const { return page_sizes_; }

private:
    std::uint32_t total_size_ = 0;
    std::map<std::uint8_t, tt::DataFormat> formats_;
    std::map<std::uint8_t, std::uint32_t> page_sizes_;
};

namespace tt_mock_impl {
struct ProgramState;
struct DeviceState;
struct BufferState;
}  // namespace tt_mock_impl

class Program {
public:
    Program();
    Program(Program&&) noexcept;
    Program& operator=(Program&&) noexcept;
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;
    ~Program();
    tt_mock_impl::ProgramState& state() const { return *state_; }

private:
    std::unique_ptr<tt_mock_impl::ProgramState> state_;
};

using CoreSpec = std::variant<CoreCoord, CoreRange, CoreRangeSet>;

Program CreateProgram();

KernelHandle CreateKernel(Program& program, const std::string& file_name, const CoreSpec& core_spec,
                          const std::variant<DataMovementConfig, ComputeConfig, EthernetConfig>& config);

CBHandle CreateCircularBuffer(Program& program, const CoreSpec& core_spec, const CircularBufferConfig& config);

std::uint32_t CreateSemaphore(Program& program, const CoreSpec& core_spec, std::uint32_t initial_value,
                              CoreType core_type = CoreType::WORKER);

void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    const std::vector<std::uint32_t>& runtime_args);
void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    std::initializer_list<std::uint32_t> runtime_args);
void SetRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<CoreCoord>& core_spec,
                    const std::vector<std::vector<std::uint32_t>>& runtime_args);
void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<std::uint32_t>& runtime_args);
void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel, std::initializer_list<std::uint32_t> runtime_args);

struct RuntimeArgsData {
    std::uint32_t* rt_args_data = nullptr;
    std::size_t rt_args_count = 0;
    std::uint32_t& operator[](std::size_t i) { return rt_args_data[i]; }
    const std::uint32_t& operator[](std::size_t i) const { return rt_args_data[i]; }
    std::uint32_t& at(std::size_t i) {
        if (i >= rt_args_count) throw std::out_of_range("RuntimeArgsData index out of range");
        return rt_args_data[i];
    }
    std::size_t size() const { return rt_args_count; }
    std::uint32_t* data() { return rt_args_data; }
};
RuntimeArgsData& GetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreCoord& core);
RuntimeArgsData& GetCommonRuntimeArgs(const Program& program, KernelHandle kernel);

// split `units_to_divide` work units over the first cores of `grid_size`:
// (num_cores, all_cores, core_group_1, core_group_2, units_per_core_group_1, units_per_core_group_2)
std::tuple<std::uint32_t, CoreRangeSet, CoreRangeSet, CoreRangeSet, std::uint32_t, std::uint32_t> split_work_to_cores(
    const CoreCoord grid_size, const std::uint32_t units_to_divide, const bool row_wise = false);

CoreRangeSet num_cores_to_corerangeset(std::uint32_t target_num_cores, const CoreCoord grid_size, bool row_wise = false);

// Sharded buffer layouts: an L1 buffer height-, width- or block-sharded over a grid of cores (one shard per
// core at the same L1 address; MeshBuffer::create places the pages, see docs/mock_sdk.md).
struct ShardSpec {
    CoreRangeSet grid;
    std::array<std::uint32_t, 2> shape{};
    ShardOrientation orientation = ShardOrientation::ROW_MAJOR;
    ShardSpec(const CoreRangeSet& core_sets, const std::array<std::uint32_t, 2>& shard_shape,
              const ShardOrientation& shard_orientation = ShardOrientation::ROW_MAJOR)
        : grid(core_sets), shape(shard_shape), orientation(shard_orientation) {}
    std::uint32_t num_cores() const { return grid.num_cores(); }
    std::uint32_t numel() const { return shape[0] * shape[1]; }
};

struct ShardSpecBuffer {
    ShardSpec tensor_shard_spec;
    std::array<std::uint32_t, 2> page_shape{};
    std::array<std::uint32_t, 2> tensor2d_shape_in_pages{};
    ShardSpecBuffer(const CoreRangeSet& core_sets, const std::array<std::uint32_t, 2>& shard_shape,
                    const ShardOrientation& shard_orientation, const std::array<std::uint32_t, 2>& page_shape_,
                    const std::array<std::uint32_t, 2>& tensor2d_shape_in_pages_)
        : tensor_shard_spec(core_sets, shard_shape, shard_orientation),
          page_shape(page_shape_),
          tensor2d_shape_in_pages(tensor2d_shape_in_pages_) {}
    ShardSpecBuffer(const ShardSpec& shard_spec, const std::array<std::uint32_t, 2>& page_shape_,
                    const std::array<std::uint32_t, 2>& tensor2d_shape_in_pages_)
        : tensor_shard_spec(shard_spec), page_shape(page_shape_), tensor2d_shape_in_pages(tensor2d_shape_in_pages_) {}
    CoreRangeSet grid() const { return tensor_shard_spec.grid; }
    std::array<std::uint32_t, 2> shape() const { return tensor_shard_spec.shape; }
    ShardOrientation orientation() const { return tensor_shard_spec.orientation; }
    // shape of one shard in pages
    std::array<std::uint32_t, 2> shape_in_pages() const {
        return {page_shape[0] ? shape()[0] / page_shape[0] : 0, page_shape[1] ? shape()[1] / page_shape[1] : 0};
    }
    DeviceAddr num_pages() const {
        const auto s = shape_in_pages();
        return static_cast<DeviceAddr>(s[0]) * s[1];
    }
};

// An N-dimensional shape (a tensor's or a shard's, e.g. in pages); negative indices count from the end.
class Shape {
public:
    Shape() = default;
    explicit Shape(std::initializer_list<std::uint32_t> ilist) : value_(ilist) {}
    template <std::size_t N>
    explicit Shape(const std::array<std::uint32_t, N>& arr) : value_(arr.begin(), arr.end()) {}
    std::size_t rank() const { return value_.size(); }
    std::uint64_t volume() const {
        std::uint64_t v = 1;
        for (auto d : value_) v *= d;
        return v;
    }
    bool empty() const { return value_.empty(); }
    std::uint32_t operator[](std::int32_t index) const { return value_.at(normalized(index)); }
    std::uint32_t& operator[](std::int32_t index) { return value_.at(normalized(index)); }
    bool operator==(const Shape& other) const { return value_ == other.value_; }

private:
    std::size_t normalized(std::int32_t index) const {
        const std::int64_t i = index < 0 ? static_cast<std::int64_t>(value_.size()) + index : index;
        if (i < 0 || i >= static_cast<std::int64_t>(value_.size())) {
            throw std::out_of_range("Shape: index " + std::to_string(index) + " out of range for rank " +
                                    std::to_string(value_.size()));
        }
        return static_cast<std::size_t>(i);
    }
    std::vector<std::uint32_t> value_;
};

// ND sharding: the tensor (in pages) is cut into shards of shard_shape_in_pages (the last ones partial);
// shards, in row-major order over the grid of shards, are dealt to the cores round-robin.
class BufferDistributionSpec {
public:
    BufferDistributionSpec(const Shape& tensor_shape_in_pages, const Shape& shard_shape_in_pages,
                           const CoreRangeSet& core_range_set, ShardOrientation shard_orientation,
                           ShardDistributionStrategy shard_distribution_strategy = ShardDistributionStrategy::ROUND_ROBIN_1D);
    BufferDistributionSpec(const Shape& tensor_shape_in_pages, const Shape& shard_shape_in_pages,
                           std::vector<CoreCoord> cores);
    const Shape& tensor_shape_in_pages() const { return tensor_shape_in_pages_; }
    const Shape& shard_shape_in_pages() const { return shard_shape_in_pages_; }
    std::size_t num_shards() const;
    std::size_t max_num_shards_per_core() const;
    std::size_t max_num_dev_pages_per_core() const { return max_num_shards_per_core() * shard_shape_in_pages_.volume(); }
    std::size_t num_cores() const { return cores_.size(); }
    const std::vector<CoreCoord>& cores() const { return cores_; }
    ShardDistributionStrategy shard_distribution_strategy() const { return strategy_; }

private:
    Shape tensor_shape_in_pages_;
    Shape shard_shape_in_pages_;
    std::vector<CoreCoord> cores_;
    ShardDistributionStrategy strategy_ = ShardDistributionStrategy::ROUND_ROBIN_1D;
};

class BufferShardingArgs {
public:
    BufferShardingArgs() = default;
    BufferShardingArgs(std::nullopt_t) {}
    BufferShardingArgs(BufferDistributionSpec buffer_distribution_spec)
        : buffer_distribution_spec_(std::move(buffer_distribution_spec)), buffer_layout_(TensorMemoryLayout::BLOCK_SHARDED) {}
    BufferShardingArgs(std::optional<BufferDistributionSpec> buffer_distribution_spec)
        : buffer_distribution_spec_(std::move(buffer_distribution_spec)),
          buffer_layout_(buffer_distribution_spec_ ? TensorMemoryLayout::BLOCK_SHARDED : TensorMemoryLayout::INTERLEAVED) {}
    BufferShardingArgs(std::optional<BufferDistributionSpec> buffer_distribution_spec,
                       std::optional<ShardSpecBuffer> shard_spec, TensorMemoryLayout buffer_layout)
        : buffer_distribution_spec_(std::move(buffer_distribution_spec)),
          shard_spec_(std::move(shard_spec)),
          buffer_layout_(buffer_layout) {}
    const std::optional<BufferDistributionSpec>& buffer_distribution_spec() const { return buffer_distribution_spec_; }
    BufferShardingArgs(ShardSpecBuffer shard_spec, TensorMemoryLayout buffer_layout)
        : shard_spec_(std::move(shard_spec)), buffer_layout_(buffer_layout) {}
    BufferShardingArgs(std::optional<ShardSpecBuffer> shard_spec, TensorMemoryLayout buffer_layout)
        : shard_spec_(std::move(shard_spec)), buffer_layout_(buffer_layout) {}
    const std::optional<ShardSpecBuffer>& shard_spec() const { return shard_spec_; }
    TensorMemoryLayout buffer_layout() const { return buffer_layout_; }

private:
    std::optional<BufferDistributionSpec> buffer_distribution_spec_;
    std::optional<ShardSpecBuffer> shard_spec_;
    TensorMemoryLayout buffer_layout_ = TensorMemoryLayout::INTERLEAVED;
};

namespace distributed {

class MeshDevice;
class MeshBuffer;

struct MeshShape {
    std::vector<std::uint32_t> dims;
    MeshShape() = default;
    MeshShape(std::uint32_t n) : dims{n} {}
    MeshShape(std::uint32_t r, std::uint32_t c) : dims{r, c} {}
    std::size_t mesh_size() const {
        std::size_t n = 1;
        for (auto d : dims) n *= d;
        return n;
    }
    std::size_t dims_count() const { return dims.size(); }
    std::uint32_t operator[](std::size_t i) const { return dims.at(i); }
};

struct MeshCoordinate {
    std::vector<std::uint32_t> coords;
    MeshCoordinate() = default;
    MeshCoordinate(std::uint32_t r, std::uint32_t c) : coords{r, c} {}
    static MeshCoordinate zero_coordinate(std::size_t dims) {
        MeshCoordinate m;
        m.coords.assign(dims, 0);
        return m;
    }
    std::uint32_t operator[](std::size_t i) const { return coords.at(i); }
};

class MeshCoordinateRange {
public:
    MeshCoordinateRange() = default;
    explicit MeshCoordinateRange(const MeshShape& shape) : shape_(shape) {}
    MeshCoordinateRange(const MeshCoordinate& start, const MeshCoordinate& end);
    const MeshShape& shape() const { return shape_; }

private:
    MeshShape shape_{1, 1};
};

struct DeviceLocalBufferConfig {
    DeviceAddr page_size = 0;
    BufferType buffer_type = BufferType::DRAM;
    BufferShardingArgs sharding_args;  // interleaved, or L1 HEIGHT / WIDTH / BLOCK sharded (ShardSpecBuffer)
    std::optional<bool> bottom_up;
};

struct ReplicatedBufferConfig {
    DeviceAddr size = 0;
};

struct ShardedBufferConfig {
    DeviceAddr global_size = 0;
};

using MeshBufferConfig = std::variant<ReplicatedBufferConfig, ShardedBufferConfig>;

}  // namespace distributed

// A buffer on one device (the backing buffer of a MeshBuffer).
class Buffer {
public:
    explicit Buffer(tt_mock_impl::BufferState* state) : state_(state) {}
    DeviceAddr address() const;
    DeviceAddr size() const;
    DeviceAddr page_size() const;
    DeviceAddr aligned_page_size() const;
    std::uint32_t num_pages() const;
    BufferType buffer_type() const;
    bool is_allocated() const;
    TensorMemoryLayout buffer_layout() const;
    bool has_shard_spec() const;
    ShardSpecBuffer shard_spec() const;

private:
    tt_mock_impl::BufferState* state_;
};

// The device's memory allocator: alignments of its buffers.
class Allocator {
public:
    explicit Allocator(const tt_mock_impl::DeviceState* dev) : dev_(dev) {}
    std::uint32_t get_alignment(BufferType buffer_type) const;

private:
    const tt_mock_impl::DeviceState* dev_;
};

namespace distributed {

class MeshBuffer {
public:
    static std::shared_ptr<MeshBuffer> create(const MeshBufferConfig& mesh_buffer_config,
                                              const DeviceLocalBufferConfig& device_local_config,
                                              MeshDevice* mesh_device,
                                              std::optional<DeviceAddr> address = std::nullopt);
    ~MeshBuffer();
    MeshBuffer(const MeshBuffer&) = delete;
    MeshBuffer& operator=(const MeshBuffer&) = delete;
    DeviceAddr address() const;
    DeviceAddr size() const;
    DeviceAddr device_local_size() const { return size(); }
    DeviceAddr page_size() const;
    BufferType buffer_type() const;
    bool is_allocated() const;
    void deallocate();
    MeshDevice* device() const;
    const DeviceLocalBufferConfig& device_local_config() const;
    tt_mock_impl::BufferState& state() const { return *state_; }
    // The buffer on the (single) device of the mesh.
    Buffer* get_backing_buffer() const { return backing_.get(); }
    Buffer* get_device_buffer(const MeshCoordinate& /*device_coord*/ = MeshCoordinate(0, 0)) const { return backing_.get(); }

    // internal: use MeshBuffer::create
    explicit MeshBuffer(std::unique_ptr<tt_mock_impl::BufferState> state);

private:
    std::unique_ptr<tt_mock_impl::BufferState> state_;
    std::unique_ptr<Buffer> backing_;
};

class MeshCommandQueue {
public:
    explicit MeshCommandQueue(MeshDevice* device) : device_(device) {}
    MeshDevice* device() const { return device_; }
    void finish();

private:
    MeshDevice* device_;
};

class MeshWorkload {
public:
    MeshWorkload();
    MeshWorkload(MeshWorkload&&) noexcept;
    MeshWorkload& operator=(MeshWorkload&&) noexcept;
    ~MeshWorkload();
    void add_program(const MeshCoordinateRange& device_range, Program&& program);
    std::vector<std::pair<MeshCoordinateRange, Program>>& get_programs() { return programs_; }

private:
    std::vector<std::pair<MeshCoordinateRange, Program>> programs_;
};

class MeshDevice : public std::enable_shared_from_this<MeshDevice> {
public:
    static std::shared_ptr<MeshDevice> create_unit_mesh(int device_id, std::size_t l1_small_size = 0,
                                                        std::size_t trace_region_size = 0,
                                                        std::size_t num_command_queues = 1);
    ~MeshDevice();
    MeshCommandQueue& mesh_command_queue(std::optional<std::uint8_t> cq_id = std::nullopt);
    CoreCoord compute_with_storage_grid_size() const;
    CoreCoord grid_size() const;
    CoreCoord logical_grid_size() const { return compute_with_storage_grid_size(); }
    CoreCoord dram_grid_size() const;
    std::uint32_t num_dram_channels() const;
    std::uint32_t l1_size_per_core() const;
    std::uint32_t allocator_l1_base() const;
    CoreCoord worker_core_from_logical_core(const CoreCoord& logical_core) const;
    CoreCoord virtual_core_from_logical_core(const CoreCoord& logical_core, const CoreType& core_type) const;
    const std::unique_ptr<Allocator>& allocator() const { return allocator_; }
    MeshShape shape() const { return MeshShape(1, 1); }
    std::size_t num_devices() const { return 1; }
    int id() const { return device_id_; }
    tt::ARCH arch() const;
    bool close();
    bool is_open() const { return open_; }
    tt_mock_impl::DeviceState& state() const { return *state_; }

    // internal: use create_unit_mesh
    explicit MeshDevice(int device_id);

private:
    int device_id_;
    bool open_ = true;
    std::unique_ptr<tt_mock_impl::DeviceState> state_;
    std::unique_ptr<Allocator> allocator_;
    std::unique_ptr<MeshCommandQueue> cq_;
};

void EnqueueMeshWorkload(MeshCommandQueue& mesh_cq, MeshWorkload& mesh_workload, bool blocking);
void Finish(MeshCommandQueue& mesh_cq);

// raw byte transfers used by the templates below
void tt_mock_write_buffer(MeshCommandQueue& cq, MeshBuffer& buffer, const void* src, std::size_t bytes);
void tt_mock_read_buffer(MeshCommandQueue& cq, MeshBuffer& buffer, void* dst, std::size_t bytes);

template <typename DType>
void EnqueueWriteMeshBuffer(MeshCommandQueue& mesh_cq, const std::shared_ptr<MeshBuffer>& mesh_buffer,
                            const std::vector<DType>& src, bool /*blocking*/ = false) {
    tt_mock_write_buffer(mesh_cq, *mesh_buffer, src.data(), src.size() * sizeof(DType));
}

template <typename DType>
void EnqueueReadMeshBuffer(MeshCommandQueue& mesh_cq, std::vector<DType>& dst,
                           const std::shared_ptr<MeshBuffer>& mesh_buffer, bool /*blocking*/ = true) {
    dst.resize(static_cast<std::size_t>(mesh_buffer->size() / sizeof(DType)));
    tt_mock_read_buffer(mesh_cq, *mesh_buffer, dst.data(), dst.size() * sizeof(DType));
}

template <typename DType>
void WriteShard(MeshCommandQueue& mesh_cq, const std::shared_ptr<MeshBuffer>& mesh_buffer, std::vector<DType>& src,
                const MeshCoordinate& /*coord*/, bool blocking = false) {
    EnqueueWriteMeshBuffer(mesh_cq, mesh_buffer, src, blocking);
}

template <typename DType>
void ReadShard(MeshCommandQueue& mesh_cq, std::vector<DType>& dst, const std::shared_ptr<MeshBuffer>& mesh_buffer,
               const MeshCoordinate& /*coord*/, bool blocking = true) {
    EnqueueReadMeshBuffer(mesh_cq, dst, mesh_buffer, blocking);
}

}  // namespace distributed

// Host half of TensorAccessorArgs: the compile-time words a kernel's TensorAccessorArgs<offset> reads.
namespace tensor_accessor {
enum class ArgConfig : std::uint8_t {
    None = 0,
    Sharded = 1 << 0,
    IsDram = 1 << 1,
    RuntimeRank = 1 << 2,
    RuntimeNumBanks = 1 << 3,
    RuntimeTensorShape = 1 << 4,
    RuntimeShardShape = 1 << 5,
    RuntimeBankCoords = 1 << 6,
    RuntimePageSize = 1 << 7,
    Runtime = RuntimeRank | RuntimeNumBanks | RuntimeTensorShape | RuntimeShardShape | RuntimeBankCoords | RuntimePageSize,
};
}  // namespace tensor_accessor

class TensorAccessorArgs {
public:
    TensorAccessorArgs() = default;
    explicit TensorAccessorArgs(const distributed::MeshBuffer& buffer,
                                tensor_accessor::ArgConfig arg_config = tensor_accessor::ArgConfig::None);
    explicit TensorAccessorArgs(const distributed::MeshBuffer* buffer,
                                tensor_accessor::ArgConfig arg_config = tensor_accessor::ArgConfig::None);
    explicit TensorAccessorArgs(const std::shared_ptr<distributed::MeshBuffer>& buffer,
                                tensor_accessor::ArgConfig arg_config = tensor_accessor::ArgConfig::None)
        : TensorAccessorArgs(buffer.get(), arg_config) {}
    void append_to(std::vector<std::uint32_t>& compile_time_args) const;
    void append_to(std::vector<std::uint32_t>& compile_time_args, std::vector<std::uint32_t>& common_runtime_args) const;
    std::vector<std::uint32_t> get_compile_time_args() const;
    std::vector<std::uint32_t> get_common_runtime_args() const;

private:
    std::uint32_t config_ = 0;
    std::uint32_t aligned_page_size_ = 0;
};

}  // namespace tt::tt_metal
