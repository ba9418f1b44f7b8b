// tt-build mock SDK runtime: host API objects (devices, buffers, programs, work split).
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "runtime_internal.hpp"
#include "tt-metalium/tt_mock_metal2.hpp"

namespace tt::tt_metal::tt_mock_impl {

void throw_error(const std::string& msg) { throw std::runtime_error("TT-Metalium mock: " + msg); }

std::string env_str(const char* name, const std::string& dflt) {
    const char* v = std::getenv(name);
    return (v && *v) ? std::string(v) : dflt;
}

#ifndef TT_MOCK_DEFAULT_ARCH
#define TT_MOCK_DEFAULT_ARCH "wormhole_b0"
#endif

namespace {
const Arch kArchs[] = {
    {"wormhole_b0", "Wormhole", tt::ARCH::WORMHOLE_B0, "ARCH_WORMHOLE", tt_mock::kWormholeB0, kWormholeTiming},
    {"blackhole", "Blackhole", tt::ARCH::BLACKHOLE, "ARCH_BLACKHOLE", tt_mock::kBlackhole, kBlackholeTiming},
};
const Arch* g_device_arch = nullptr;  // the open device's (one device per runtime)

const Arch& arch_named(const std::string& name, const char* origin) {
    for (const auto& a : kArchs) {
        if (name == a.name) return a;
    }
    throw_error(std::string(origin) + " '" + name + "' names no architecture the mock models: use wormhole_b0 or blackhole");
}
}  // namespace

const Arch& resolve_arch() {
    const std::string env = env_str("TT_MOCK_ARCH");
    if (!env.empty()) return arch_named(env, "TT_MOCK_ARCH");
    return arch_named(TT_MOCK_DEFAULT_ARCH, "the runtime's built-in architecture (TT_MOCK_DEFAULT_ARCH)");
}

const Arch& current_arch() { return g_device_arch ? *g_device_arch : resolve_arch(); }

const char* role_name(Role r) {
    switch (r) {
        case Role::Riscv0: return "RISCV_0 (BRISC) data movement";
        case Role::Riscv1: return "RISCV_1 (NCRISC) data movement";
        case Role::Compute: return "compute (TRISC)";
    }
    return "?";
}

std::vector<CoreCoord> cores_of(const CoreSpec& spec) {
    std::vector<CoreCoord> out;
    if (const auto* c = std::get_if<CoreCoord>(&spec)) {
        out.push_back(*c);
    } else if (const auto* r = std::get_if<CoreRange>(&spec)) {
        out = corerange_to_cores(CoreRangeSet(*r), std::nullopt, true);
    } else {
        out = corerange_to_cores(std::get<CoreRangeSet>(spec), std::nullopt, true);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    const Arch& arch = current_arch();
    for (const auto& c : out) {
        if (c.x >= arch.geo.grid_x || c.y >= arch.geo.grid_y) {
            throw_error("core " + c.str() + " is outside the " + arch.grid() + " " + arch.title + " compute grid");
        }
    }
    return out;
}

std::uint64_t dram_allocate(DeviceState& dev, std::uint64_t bytes_per_bank) {
    // first fit over the sorted allocations
    std::uint64_t candidate = kDramBase;
    for (const auto& [addr, buf] : dev.dram_buffers) {
        if (candidate + bytes_per_bank <= addr) break;
        const std::uint64_t end = addr + static_cast<std::uint64_t>(buf->pages_per_bank) * buf->aligned_page_size;
        candidate = std::max(candidate, (end + 31) / 32 * 32);
    }
    if (candidate + bytes_per_bank > dev.arch->geo.dram_bank_size) {
        throw_error("out of DRAM: cannot allocate " + std::to_string(bytes_per_bank) + " bytes per bank");
    }
    return candidate;
}

}  // namespace tt::tt_metal::tt_mock_impl

using namespace tt::tt_metal::tt_mock_impl;

CoreRange CoreRangeSet::bounding_box() const {
    if (ranges_.empty()) throw std::runtime_error("CoreRangeSet::bounding_box of an empty set");
    CoreCoord lo = ranges_[0].start_coord, hi = ranges_[0].end_coord;
    for (const auto& r : ranges_) {
        lo.x = std::min(lo.x, r.start_coord.x);
        lo.y = std::min(lo.y, r.start_coord.y);
        hi.x = std::max(hi.x, r.end_coord.x);
        hi.y = std::max(hi.y, r.end_coord.y);
    }
    return CoreRange(lo, hi);
}

std::vector<CoreCoord> corerange_to_cores(const CoreRangeSet& crs, std::optional<std::uint32_t> max_cores,
                                          bool row_wise) {
    std::vector<CoreCoord> out;
    for (const auto& r : crs.ranges()) {
        if (row_wise) {
            for (auto y = r.start_coord.y; y <= r.end_coord.y; ++y)
                for (auto x = r.start_coord.x; x <= r.end_coord.x; ++x) out.emplace_back(x, y);
        } else {
            for (auto x = r.start_coord.x; x <= r.end_coord.x; ++x)
                for (auto y = r.start_coord.y; y <= r.end_coord.y; ++y) out.emplace_back(x, y);
        }
    }
    if (max_cores && out.size() > *max_cores) out.resize(*max_cores);
    return out;
}

std::vector<CoreCoord> grid_to_cores(std::uint32_t num_cores, std::uint32_t grid_size_x, std::uint32_t grid_size_y,
                                     bool row_wise) {
    if (num_cores > grid_size_x * grid_size_y) {
        throw_error("grid_to_cores: " + std::to_string(num_cores) + " cores exceed the " + std::to_string(grid_size_x) +
                    "x" + std::to_string(grid_size_y) + " grid");
    }
    std::vector<CoreCoord> out;
    out.reserve(num_cores);
    for (std::uint32_t i = 0; i < num_cores; ++i) {
        if (row_wise) {
            out.emplace_back(i % grid_size_x, i / grid_size_x);
        } else {
            out.emplace_back(i / grid_size_y, i % grid_size_y);
        }
    }
    return out;
}

std::vector<CoreCoord> grid_to_cores(CoreCoord start, CoreCoord end, bool row_wise) {
    return corerange_to_cores(CoreRangeSet(CoreRange(start, end)), std::nullopt, row_wise);
}

namespace tt {
std::uint32_t tile_size(DataFormat format) {
    switch (format) {
        case DataFormat::Float32:
        case DataFormat::Int32:
        case DataFormat::UInt32:
        case DataFormat::Tf32: return 4096;
        case DataFormat::Float16:
        case DataFormat::Float16_b:
        case DataFormat::UInt16: return 2048;
        case DataFormat::Bfp8:
        case DataFormat::Bfp8_b: return 1024 + 64;
        case DataFormat::Bfp4:
        case DataFormat::Bfp4_b: return 512 + 64;
        case DataFormat::Bfp2:
        case DataFormat::Bfp2_b: return 256 + 64;
        case DataFormat::Int8:
        case DataFormat::UInt8:
        case DataFormat::Lf8: return 1024;
        default: return 0;
    }
}
}  // namespace tt

namespace tt::tt_metal {

ReaderDataMovementConfig::ReaderDataMovementConfig(std::vector<std::uint32_t> ct, std::map<std::string, std::string> d,
                                                   std::unordered_map<std::string, std::uint32_t> named,
                                                   KernelBuildOptLevel opt) {
    processor = DataMovementProcessor::RISCV_1;
    noc = NOC::RISCV_1_default;
    compile_args = std::move(ct);
    defines = std::move(d);
    named_compile_args = std::move(named);
    opt_level = opt;
}

WriterDataMovementConfig::WriterDataMovementConfig(std::vector<std::uint32_t> ct, std::map<std::string, std::string> d,
                                                   std::unordered_map<std::string, std::uint32_t> named,
                                                   KernelBuildOptLevel opt) {
    processor = DataMovementProcessor::RISCV_0;
    noc = NOC::RISCV_0_default;
    compile_args = std::move(ct);
    defines = std::move(d);
    named_compile_args = std::move(named);
    opt_level = opt;
}

CircularBufferConfig::CircularBufferConfig(std::uint32_t total_size) : total_size_(total_size) {}

CircularBufferConfig::CircularBufferConfig(std::uint32_t total_size,
                                           const std::map<std::uint8_t, tt::DataFormat>& data_format_spec)
    : total_size_(total_size), formats_(data_format_spec) {}

CircularBufferConfig& CircularBufferConfig::set_page_size(std::uint8_t buffer_index, std::uint32_t page_size) {
    const Arch& arch = current_arch();
    if (buffer_index >= arch.geo.num_cbs) {
        throw_error("CircularBufferConfig::set_page_size: CB index " + std::to_string(buffer_index) +
                    " is out of range (" + arch.title + " has " + std::to_string(arch.geo.num_cbs) +
                    " circular buffers, c_0..c_" + std::to_string(arch.geo.num_cbs - 1) + ")");
    }
    if (formats_.find(buffer_index) == formats_.end()) {
        throw_error("CircularBufferConfig::set_page_size: CB index " + std::to_string(buffer_index) +
                    " has no data format in this config");
    }
    page_sizes_[buffer_index] = page_size;
    return *this;
}

CircularBufferConfig& CircularBufferConfig::set_total_size(std::uint32_t total_size) {
    total_size_ = total_size;
    return *this;
}

Program::Program() : state_(std::make_unique<ProgramState>()) {}
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;
Program::~Program() = default;

Program CreateProgram() { return Program(); }

KernelHandle CreateKernel(Program& program, const std::string& file_name, const CoreSpec& core_spec,
                          const std::variant<DataMovementConfig, ComputeConfig, EthernetConfig>& config) {
    namespace fs = std::filesystem;
    ProgramState& ps = program.state();
    KernelSpec k;
    k.path = file_name;
    // resolve like tt-metal: absolute, relative to the working directory, or to TT_METAL_HOME / TT_METAL_KERNEL_PATH
    std::vector<fs::path> candidates{fs::path(file_name)};
    for (const char* env : {"TT_METAL_KERNEL_PATH", "TT_METAL_HOME"}) {
        std::string root = env_str(env);
        if (!root.empty()) candidates.push_back(fs::path(root) / file_name);
    }
    for (const auto& c : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(c, ec)) {
            k.resolved = fs::absolute(c).lexically_normal().string();
            break;
        }
    }
    if (k.resolved.empty()) {
        throw_error("CreateKernel: kernel source '" + file_name +
                    "' not found (looked relative to the working directory, TT_METAL_KERNEL_PATH and TT_METAL_HOME)");
    }
    k.cores = cores_of(core_spec);
    if (const auto* dm = std::get_if<DataMovementConfig>(&config)) {
        k.role = dm->processor == DataMovementProcessor::RISCV_0 ? Role::Riscv0 : Role::Riscv1;
        k.compile_args = dm->compile_args;
        k.defines = dm->defines;
        k.named_compile_args = {dm->named_compile_args.begin(), dm->named_compile_args.end()};
        k.noc = static_cast<int>(dm->noc);
    } else if (const auto* cc = std::get_if<ComputeConfig>(&config)) {
        k.role = Role::Compute;
        k.compile_args = cc->compile_args;
        k.defines = cc->defines;
        k.named_compile_args = {cc->named_compile_args.begin(), cc->named_compile_args.end()};
        k.fp32_dest_acc_en = cc->fp32_dest_acc_en;
        k.dst_full_sync_en = cc->dst_full_sync_en;
        k.math_approx_mode = cc->math_approx_mode;
        k.math_fidelity = static_cast<int>(cc->math_fidelity);
    } else {
        throw_error("CreateKernel: ethernet kernels are not supported by the mock ('" + file_name + "')");
    }
    for (const auto& other : ps.kernels) {
        if (other.role != k.role) continue;
        for (const auto& c : k.cores) {
            if (std::find(other.cores.begin(), other.cores.end(), c) != other.cores.end()) {
                throw_error("CreateKernel: core " + c.str() + " already runs a " + role_name(k.role) + " kernel ('" +
                            other.path + "'); cannot add '" + file_name + "'");
            }
        }
    }
    ps.kernels.push_back(std::move(k));
    return static_cast<KernelHandle>(ps.kernels.size() - 1);
}

CBHandle CreateCircularBuffer(Program& program, const CoreSpec& core_spec, const CircularBufferConfig& config) {
    ProgramState& ps = program.state();
    CBSpec cb;
    cb.cores = cores_of(core_spec);
    cb.total_size = config.total_size();
    cb.formats = config.data_formats();
    cb.page_sizes = config.page_sizes();
    if (cb.formats.empty()) throw_error("CreateCircularBuffer: the config names no CB index");
    const Arch& arch = current_arch();
    for (const auto& [idx, fmt] : cb.formats) {
        if (idx >= arch.geo.num_cbs) {
            throw_error("CreateCircularBuffer: CB index " + std::to_string(idx) + " is out of range: " + arch.title +
                        " has " + std::to_string(arch.geo.num_cbs) + " circular buffers (c_0..c_" +
                        std::to_string(arch.geo.num_cbs - 1) + ")");
        }
        auto ps_it = cb.page_sizes.find(idx);
        if (ps_it == cb.page_sizes.end() || ps_it->second == 0) {
            throw_error("CreateCircularBuffer: CB " + std::to_string(idx) + " has no page size (call set_page_size)");
        }
        if (cb.total_size % ps_it->second != 0) {
            throw_error("CreateCircularBuffer: CB " + std::to_string(idx) + " total size " +
                        std::to_string(cb.total_size) + " is not a multiple of its page size " +
                        std::to_string(ps_it->second));
        }
        (void)fmt;
    }
    // duplicate indices and the per-core L1 budget
    const std::uint32_t budget = arch.cb_budget();
    for (const auto& core : cb.cores) {
        std::uint64_t used = (cb.total_size + 15) / 16 * 16;
        std::uint32_t count = static_cast<std::uint32_t>(cb.formats.size());
        for (const auto& other : ps.cbs) {
            if (std::find(other.cores.begin(), other.cores.end(), core) == other.cores.end()) continue;
            used += (other.total_size + 15) / 16 * 16;
            count += static_cast<std::uint32_t>(other.formats.size());
            for (const auto& [idx, f] : other.formats) {
                (void)f;
                if (cb.formats.count(idx)) {
                    throw_error("CreateCircularBuffer: CB " + std::to_string(idx) + " is already defined on core " +
                                core.str());
                }
            }
        }
        if (count > arch.geo.num_cbs) {
            throw_error("CreateCircularBuffer: more than " + std::to_string(arch.geo.num_cbs) +
                        " circular buffers on core " + core.str());
        }
        if (used > budget) {
            throw_error("CreateCircularBuffer: circular buffers on core " + core.str() + " need " +
                        std::to_string(used) + " bytes of L1 but only " + std::to_string(budget) +
                        " bytes are available (" + arch.title + " L1 of " + std::to_string(arch.geo.l1_size) +
                        " bytes minus " + std::to_string(kL1Reserved) + " bytes reserved for firmware)");
        }
    }
    ps.cbs.push_back(std::move(cb));
    return static_cast<CBHandle>(ps.cbs.size());
}

std::uint32_t CreateSemaphore(Program& program, const CoreSpec& core_spec, std::uint32_t initial_value, CoreType) {
    ProgramState& ps = program.state();
    SemaphoreSpec s;
    s.cores = cores_of(core_spec);
    s.initial_value = initial_value;
    std::uint32_t id = 0;
    for (const auto& other : ps.semaphores) {
        for (const auto& c : s.cores) {
            if (std::find(other.cores.begin(), other.cores.end(), c) != other.cores.end()) {
                id = std::max(id, other.id + 1);
            }
        }
    }
    if (id >= 16) throw_error("CreateSemaphore: more than 16 semaphores on a core");
    s.id = id;
    ps.semaphores.push_back(s);
    return id;
}

static KernelSpec& kernel_of(const Program& program, KernelHandle kernel) {
    ProgramState& ps = program.state();
    if (kernel >= ps.kernels.size()) {
        throw_error("invalid kernel handle " + std::to_string(kernel));
    }
    return ps.kernels[kernel];
}

static void set_args(KernelSpec& k, const CoreCoord& c, const std::vector<std::uint32_t>& args) {
    if (std::find(k.cores.begin(), k.cores.end(), c) == k.cores.end()) {
        throw_error("SetRuntimeArgs: kernel '" + k.path + "' does not run on core " + c.str());
    }
    if (args.size() > kMaxRuntimeArgs) {
        throw_error("SetRuntimeArgs: " + std::to_string(args.size()) + " runtime args exceed the limit of " +
                    std::to_string(kMaxRuntimeArgs));
    }
    k.rt_args[c] = args;
    k.rt_views.erase(c);
}

void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    const std::vector<std::uint32_t>& runtime_args) {
    KernelSpec& k = kernel_of(program, kernel);
    for (const auto& c : cores_of(core_spec)) set_args(k, c, runtime_args);
}

void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    std::initializer_list<std::uint32_t> runtime_args) {
    SetRuntimeArgs(program, kernel, core_spec, std::vector<std::uint32_t>(runtime_args));
}

void SetRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<CoreCoord>& cores,
                    const std::vector<std::vector<std::uint32_t>>& runtime_args) {
    if (cores.size() != runtime_args.size()) {
        throw_error("SetRuntimeArgs: " + std::to_string(cores.size()) + " cores but " +
                    std::to_string(runtime_args.size()) + " argument vectors");
    }
    KernelSpec& k = kernel_of(program, kernel);
    for (std::size_t i = 0; i < cores.size(); ++i) set_args(k, cores[i], runtime_args[i]);
}

void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<std::uint32_t>& runtime_args) {
    KernelSpec& k = kernel_of(program, kernel);
    if (runtime_args.size() > kMaxRuntimeArgs) throw_error("SetCommonRuntimeArgs: too many args");
    k.common_args = runtime_args;
}


// tt_mock::SetMetal2Bindings (tt-metalium/tt_mock_metal2.hpp): the names a Metal 2.0 kernel's generated
// bindings declare (kernel_build.cpp writes them into the kernel's wrapper).
static void set_metal2_bindings(Program& program, KernelHandle kernel, const ::tt_mock::Metal2Bindings& b) {
    KernelSpec& k = kernel_of(program, kernel);
    const std::string call = "SetMetal2Bindings(" + k.path + ")";
    if (!k.metal2.empty()) throw_error(call + ": the kernel's Metal 2.0 names are already bound");
    std::map<std::string, std::set<std::string>> seen;  // per generated namespace
    auto check = [&](const std::string& ns, const std::string& name) {
        const bool ident = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
                           std::all_of(name.begin(), name.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                           });
        if (!ident) {
            throw_error(call + ": " + ns + "::'" + name + "' is not a C++ identifier (letters, digits, "
                                      "'_', not starting with a digit)");
        }
        if (!seen[ns].insert(name).second) throw_error(call + ": " + ns + "::" + name + " is bound twice");
    };
    std::vector<Metal2Name> names;
    for (const auto& [name, value] : b.compile_time_args) {
        check("args", name);
        names.push_back({Metal2Name::Kind::CompileTimeArg, name, value, 0});
    }
    for (std::size_t i = 0; i < b.runtime_args.size(); ++i) {
        check("args", b.runtime_args[i]);
        names.push_back({Metal2Name::Kind::RuntimeArg, b.runtime_args[i], static_cast<std::uint32_t>(i), 0});
    }
    std::vector<std::uint32_t> common;
    for (const auto& [name, value] : b.common_runtime_args) {
        check("args", name);
        names.push_back({Metal2Name::Kind::CommonRuntimeArg, name, static_cast<std::uint32_t>(common.size()), 0});
        common.push_back(value);
    }
    for (const auto& [name, cb] : b.dataflow_buffers) {
        check("dfb", name);
        if (cb >= kNumCBs) {
            throw_error(call + ": dfb::" + name + " names circular buffer " + std::to_string(cb) +
                                      ", beyond the last index " + std::to_string(kNumCBs - 1));
        }
        names.push_back({Metal2Name::Kind::DataflowBuffer, name, cb, 0});
    }
    std::vector<std::uint32_t> compile_args = k.compile_args;
    for (const auto& [name, buffer] : b.tensors) {
        check("tensor", name);
        if (buffer == nullptr) throw_error(call + ": tensor::" + name + " is bound to no buffer");
        const auto cta = static_cast<std::uint32_t>(compile_args.size());
        TensorAccessorArgs(*buffer).append_to(compile_args);
        names.push_back({Metal2Name::Kind::Tensor, name, cta, static_cast<std::uint32_t>(common.size())});
        common.push_back(static_cast<std::uint32_t>(buffer->address()));
    }
    if (common.size() > kMaxRuntimeArgs) throw_error(call + ": too many common runtime args");
    k.compile_args = std::move(compile_args);
    k.common_args = std::move(common);
    k.metal2 = std::move(names);
}


void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel, std::initializer_list<std::uint32_t> args) {
    SetCommonRuntimeArgs(program, kernel, std::vector<std::uint32_t>(args));
}

RuntimeArgsData& GetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreCoord& core) {
    KernelSpec& k = kernel_of(program, kernel);
    auto& v = k.rt_args[core];
    auto& view = k.rt_views[core];
    view.rt_args_data = v.data();
    view.rt_args_count = v.size();
    return view;
}

RuntimeArgsData& GetCommonRuntimeArgs(const Program& program, KernelHandle kernel) {
    KernelSpec& k = kernel_of(program, kernel);
    k.common_view.rt_args_data = k.common_args.data();
    k.common_view.rt_args_count = k.common_args.size();
    return k.common_view;
}

static CoreRangeSet cores_to_ranges(const std::vector<CoreCoord>& cores, bool row_wise) {
    // merge consecutive cores of one row (row_wise) or one column into ranges
    std::vector<CoreRange> ranges;
    for (const auto& c : cores) {
        if (!ranges.empty()) {
            CoreRange& last = ranges.back();
            if (row_wise && last.end_coord.y == c.y && last.start_coord.y == c.y && last.end_coord.x + 1 == c.x) {
                last.end_coord.x = c.x;
                continue;
            }
            if (!row_wise && last.end_coord.x == c.x && last.start_coord.x == c.x && last.end_coord.y + 1 == c.y) {
                last.end_coord.y = c.y;
                continue;
            }
        }
        ranges.emplace_back(c, c);
    }
    return CoreRangeSet(ranges);
}

static std::vector<CoreCoord> first_cores(std::uint32_t n, const CoreCoord grid, bool row_wise) {
    std::vector<CoreCoord> out;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (row_wise) {
            out.emplace_back(i % grid.x, i / grid.x);
        } else {
            out.emplace_back(i / grid.y, i % grid.y);
        }
    }
    return out;
}

CoreRangeSet num_cores_to_corerangeset(std::uint32_t target_num_cores, const CoreCoord grid_size, bool row_wise) {
    if (target_num_cores > grid_size.x * grid_size.y) {
        throw_error("num_cores_to_corerangeset: " + std::to_string(target_num_cores) + " cores do not fit the grid");
    }
    return cores_to_ranges(first_cores(target_num_cores, grid_size, row_wise), row_wise);
}

std::tuple<std::uint32_t, CoreRangeSet, CoreRangeSet, CoreRangeSet, std::uint32_t, std::uint32_t> split_work_to_cores(
    const CoreCoord grid_size, const std::uint32_t units_to_divide, const bool row_wise) {
    const std::uint32_t max_cores = static_cast<std::uint32_t>(grid_size.x * grid_size.y);
    if (units_to_divide == 0) return {0, CoreRangeSet(), CoreRangeSet(), CoreRangeSet(), 0, 0};
    const std::uint32_t num_cores = std::min(units_to_divide, max_cores);
    const std::vector<CoreCoord> cores = first_cores(num_cores, grid_size, row_wise);
    const std::uint32_t base = units_to_divide / num_cores;
    const std::uint32_t extra = units_to_divide % num_cores;
    if (extra == 0) {
        CoreRangeSet all = cores_to_ranges(cores, row_wise);
        return {num_cores, all, all, CoreRangeSet(), base, 0};
    }
    std::vector<CoreCoord> g1(cores.begin(), cores.begin() + extra), g2(cores.begin() + extra, cores.end());
    return {num_cores, cores_to_ranges(cores, row_wise), cores_to_ranges(g1, row_wise), cores_to_ranges(g2, row_wise),
            base + 1, base};
}

// ---- TensorAccessorArgs (host) ----------------------------------------------------------------------
TensorAccessorArgs::TensorAccessorArgs(const distributed::MeshBuffer& buffer, tensor_accessor::ArgConfig cfg)
    : TensorAccessorArgs(&buffer, cfg) {}

TensorAccessorArgs::TensorAccessorArgs(const distributed::MeshBuffer* buffer, tensor_accessor::ArgConfig cfg) {
    if (buffer == nullptr) throw_error("TensorAccessorArgs: null buffer");
    config_ = static_cast<std::uint32_t>(cfg);
    if (config_ & static_cast<std::uint32_t>(tensor_accessor::ArgConfig::Sharded)) {
        throw_error("TensorAccessorArgs: sharded tensors are not supported by the mock");
    }
    if (buffer->state().layout != TensorMemoryLayout::INTERLEAVED) {
        throw_error("TensorAccessorArgs: not implemented in the mock: accessors of sharded buffers (address a "
                    "core's shard by the buffer's L1 address instead)");
    }
    if (buffer->state().is_dram) config_ |= static_cast<std::uint32_t>(tensor_accessor::ArgConfig::IsDram);
    aligned_page_size_ = buffer->state().aligned_page_size;
}

void TensorAccessorArgs::append_to(std::vector<std::uint32_t>& ct) const {
    ct.push_back(config_);
    if (!(config_ & static_cast<std::uint32_t>(tensor_accessor::ArgConfig::RuntimePageSize))) {
        ct.push_back(aligned_page_size_);
    }
}

void TensorAccessorArgs::append_to(std::vector<std::uint32_t>& ct, std::vector<std::uint32_t>& crt) const {
    append_to(ct);
    if (config_ & static_cast<std::uint32_t>(tensor_accessor::ArgConfig::RuntimePageSize)) {
        crt.push_back(aligned_page_size_);
    }
}

std::vector<std::uint32_t> TensorAccessorArgs::get_compile_time_args() const {
    std::vector<std::uint32_t> v;
    append_to(v);
    return v;
}

std::vector<std::uint32_t> TensorAccessorArgs::get_common_runtime_args() const {
    std::vector<std::uint32_t> ct, crt;
    append_to(ct, crt);
    return crt;
}

// ---- ND sharding --------------------------------------------------------------------------------------
BufferDistributionSpec::BufferDistributionSpec(const Shape& tensor_shape_in_pages, const Shape& shard_shape_in_pages,
                                               const CoreRangeSet& core_range_set, ShardOrientation shard_orientation,
                                               ShardDistributionStrategy shard_distribution_strategy)
    : BufferDistributionSpec(tensor_shape_in_pages, shard_shape_in_pages,
                             corerange_to_cores(core_range_set, core_range_set.num_cores(),
                                                shard_orientation == ShardOrientation::ROW_MAJOR)) {
    strategy_ = shard_distribution_strategy;
}

BufferDistributionSpec::BufferDistributionSpec(const Shape& tensor_shape_in_pages, const Shape& shard_shape_in_pages,
                                               std::vector<CoreCoord> cores)
    : tensor_shape_in_pages_(tensor_shape_in_pages), shard_shape_in_pages_(shard_shape_in_pages), cores_(std::move(cores)) {
    if (tensor_shape_in_pages_.rank() != shard_shape_in_pages_.rank()) {
        throw_error("BufferDistributionSpec: the tensor shape has rank " + std::to_string(tensor_shape_in_pages_.rank()) +
                    " but the shard shape " + std::to_string(shard_shape_in_pages_.rank()));
    }
    if (tensor_shape_in_pages_.rank() < 1) throw_error("BufferDistributionSpec: the tensor rank must be at least 1");
    if (shard_shape_in_pages_.volume() == 0) throw_error("BufferDistributionSpec: the shard shape has zero volume");
    if (tensor_shape_in_pages_.volume() != 0 && cores_.empty()) {
        throw_error("BufferDistributionSpec: a tensor of non-zero volume needs at least one core");
    }
}

std::size_t BufferDistributionSpec::num_shards() const {
    if (tensor_shape_in_pages_.volume() == 0) return 0;
    std::size_t n = 1;
    for (std::size_t d = 0; d < tensor_shape_in_pages_.rank(); ++d) {
        const auto i = static_cast<std::int32_t>(d);
        n *= (tensor_shape_in_pages_[i] + shard_shape_in_pages_[i] - 1) / shard_shape_in_pages_[i];
    }
    return n;
}

std::size_t BufferDistributionSpec::max_num_shards_per_core() const {
    return cores_.empty() ? 0 : (num_shards() + cores_.size() - 1) / cores_.size();
}

// ---- distributed ----------------------------------------------------------------------------------------
namespace distributed {

MeshCoordinateRange::MeshCoordinateRange(const MeshCoordinate& start, const MeshCoordinate& end) {
    for (std::size_t i = 0; i < start.coords.size() && i < end.coords.size(); ++i) {
        if (start.coords[i] != 0 || end.coords[i] != 0) {
            throw_error("MeshCoordinateRange: the mock has a single (1x1) device mesh");
        }
    }
}

static int g_open_devices = 0;

MeshDevice::MeshDevice(int device_id) : device_id_(device_id), state_(std::make_unique<DeviceState>()) {
    state_->device_id = device_id;
    state_->arch = &resolve_arch();
    state_->l1_buffer_low = state_->arch->geo.l1_size;
    allocator_ = std::make_unique<Allocator>(state_.get());
    cq_ = std::make_unique<MeshCommandQueue>(this);
}

std::shared_ptr<MeshDevice> MeshDevice::create_unit_mesh(int device_id, std::size_t, std::size_t, std::size_t) {
    if (device_id != 0) {
        throw_error("MeshDevice::create_unit_mesh: the mock provides one device (id 0), not " +
                    std::to_string(device_id));
    }
    if (g_open_devices > 0) {
        throw_error("MeshDevice::create_unit_mesh: device 0 is already open (close() it first)");
    }
    auto device = std::make_shared<MeshDevice>(device_id);
    ++g_open_devices;
    g_device_arch = device->state().arch;
    return device;
}

MeshDevice::~MeshDevice() { close(); }

bool MeshDevice::close() {
    if (open_) {
        open_ = false;
        state_->open = false;
        --g_open_devices;
        g_device_arch = nullptr;
    }
    return true;
}

MeshCommandQueue& MeshDevice::mesh_command_queue(std::optional<std::uint8_t> cq_id) {
    if (cq_id && *cq_id != 0) throw_error("mesh_command_queue: the mock has one command queue (id 0)");
    return *cq_;
}

CoreCoord MeshDevice::compute_with_storage_grid_size() const {
    return {state_->arch->geo.grid_x, state_->arch->geo.grid_y};
}
CoreCoord MeshDevice::grid_size() const { return compute_with_storage_grid_size(); }
CoreCoord MeshDevice::dram_grid_size() const { return {state_->arch->geo.num_dram_banks, 1}; }
std::uint32_t MeshDevice::num_dram_channels() const { return state_->arch->geo.num_dram_banks; }
std::uint32_t MeshDevice::l1_size_per_core() const { return state_->arch->geo.l1_size; }
tt::ARCH MeshDevice::arch() const { return state_->arch->id; }
std::uint32_t MeshDevice::allocator_l1_base() const { return kL1Reserved; }
CoreCoord MeshDevice::worker_core_from_logical_core(const CoreCoord& c) const {
    return {c.x + tt_mock::kWorkerNocOffset, c.y + tt_mock::kWorkerNocOffset};
}
CoreCoord MeshDevice::virtual_core_from_logical_core(const CoreCoord& c, const CoreType&) const {
    return worker_core_from_logical_core(c);
}

void MeshCommandQueue::finish() {}

MeshWorkload::MeshWorkload() = default;
MeshWorkload::MeshWorkload(MeshWorkload&&) noexcept = default;
MeshWorkload& MeshWorkload::operator=(MeshWorkload&&) noexcept = default;
MeshWorkload::~MeshWorkload() = default;

void MeshWorkload::add_program(const MeshCoordinateRange& device_range, Program&& program) {
    programs_.emplace_back(device_range, std::move(program));
}

MeshBuffer::MeshBuffer(std::unique_ptr<BufferState> state)
    : state_(std::move(state)), backing_(std::make_unique<Buffer>(state_.get())) {}

// Where the pages of an L1-sharded buffer live: the shard grid's cores in shard order (HEIGHT / WIDTH:
// the grid's cores row by row for ROW_MAJOR orientation, column by column for COL_MAJOR; BLOCK: shard
// (i, j) of the 2-D shard grid on core (x0 + j, y0 + i), or (x0 + i, y0 + j) for COL_MAJOR), each shard's
// pages row-major in the shard's slots, a partial last shard padded to the full shard shape.
static void plan_nd_shards(BufferState& st, const BufferDistributionSpec& spec, const Arch& arch) {
    const std::string what = "MeshBuffer::create: ND-sharded buffer (BufferDistributionSpec): ";
    if (st.is_dram) throw_error(what + "not implemented in the mock: DRAM-sharded buffers (use BufferType::L1)");
    if (spec.shard_distribution_strategy() != ShardDistributionStrategy::ROUND_ROBIN_1D) {
        throw_error(what + "not implemented in the mock: shard distribution strategies other than ROUND_ROBIN_1D");
    }
    const Shape& tensor = spec.tensor_shape_in_pages();
    const Shape& shard = spec.shard_shape_in_pages();
    if (tensor.volume() != st.num_pages) {
        throw_error(what + "the tensor shape holds " + std::to_string(tensor.volume()) + " pages but the buffer has " +
                    std::to_string(st.num_pages));
    }
    const tt_mock::ArchGeometry& geo = arch.geo;
    for (const CoreCoord& c : spec.cores()) {
        if (c.x >= geo.grid_x || c.y >= geo.grid_y) {
            throw_error(what + "core " + c.str() + " lies outside the " + arch.grid() + " " + arch.title + " compute grid");
        }
    }
    const std::size_t rank = tensor.rank(), ncores = spec.cores().size();
    const std::uint64_t volume = shard.volume();
    const std::size_t per_core = spec.max_num_shards_per_core();
    std::vector<std::uint32_t> grid(rank), tstride(rank, 1), sstride(rank, 1);
    for (std::size_t d = rank; d-- > 0;) {
        const auto i = static_cast<std::int32_t>(d);
        grid[d] = (tensor[i] + shard[i] - 1) / shard[i];
        if (d + 1 < rank) {
            tstride[d] = tstride[d + 1] * tensor[i + 1];
            sstride[d] = sstride[d + 1] * shard[i + 1];
        }
    }
    st.shard_pages.assign(arch.num_cores(), {});
    for (const CoreCoord& c : spec.cores()) {
        st.shard_pages[c.y * geo.grid_x + c.x].assign(per_core * volume, kNoPage);
    }
    // shard s (row-major over the grid of shards) -> core s % ncores, at shard slot s / ncores of that core;
    // page p of the tensor inside it at its row-major position in the (full-size) shard
    std::vector<std::uint32_t> idx(rank, 0);
    for (std::uint64_t page = 0; page < st.num_pages; ++page) {
        std::uint64_t rest = page, s = 0, within = 0;
        for (std::size_t d = 0; d < rank; ++d) {
            const auto i = static_cast<std::int32_t>(d);
            const std::uint64_t coord = rest / tstride[d];
            rest %= tstride[d];
            s = s * grid[d] + coord / shard[i];
            within += (coord % shard[i]) * sstride[d];
        }
        const CoreCoord c = spec.cores()[s % ncores];
        st.shard_pages[c.y * geo.grid_x + c.x][(s / ncores) * volume + within] = static_cast<std::uint32_t>(page);
    }
    st.pages_per_bank = static_cast<std::uint32_t>(per_core * volume);
}

static void plan_shards(BufferState& st, const BufferShardingArgs& args, const Arch& arch) {
    if (args.buffer_distribution_spec()) {
        plan_nd_shards(st, *args.buffer_distribution_spec(), arch);
        return;
    }
    static const char* const kLayouts[] = {"INTERLEAVED", "", "HEIGHT_SHARDED", "WIDTH_SHARDED", "BLOCK_SHARDED",
                                           "ND_SHARDED"};
    const auto li = static_cast<std::size_t>(st.layout);
    const std::string what = std::string("MeshBuffer::create: ") + (li < 6 ? kLayouts[li] : "?") + " buffer: ";
    if (st.layout == TensorMemoryLayout::ND_SHARDED || st.layout == TensorMemoryLayout::INTERLEAVED) {
        throw_error(what + "needs a ShardSpecBuffer (HEIGHT_SHARDED, WIDTH_SHARDED, BLOCK_SHARDED) or a "
                           "BufferDistributionSpec (ND sharding)");
    }
    if (!args.shard_spec()) throw_error(what + "sharding_args has no ShardSpecBuffer");
    if (st.is_dram) {
        throw_error(what + "not implemented in the mock: DRAM-sharded buffers (use BufferType::L1)");
    }
    const ShardSpecBuffer& spec = *args.shard_spec();
    const auto shape = spec.shape();
    const auto page = spec.page_shape;
    const auto tensor = spec.tensor2d_shape_in_pages;
    if (page[0] == 0 || page[1] == 0 || shape[0] % page[0] != 0 || shape[1] % page[1] != 0) {
        throw_error(what + "shard shape " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]) +
                    " is not a whole number of " + std::to_string(page[0]) + "x" + std::to_string(page[1]) + " pages");
    }
    if (static_cast<std::uint64_t>(tensor[0]) * tensor[1] != st.num_pages) {
        throw_error(what + "tensor2d_shape_in_pages " + std::to_string(tensor[0]) + "x" + std::to_string(tensor[1]) +
                    " holds " + std::to_string(static_cast<std::uint64_t>(tensor[0]) * tensor[1]) +
                    " pages but the buffer has " + std::to_string(st.num_pages));
    }
    const std::uint32_t sr = shape[0] / page[0], sc = shape[1] / page[1];  // shard shape in pages
    if (sr == 0 || sc == 0) throw_error(what + "the shard shape is empty");
    const bool row_major = spec.orientation() == ShardOrientation::ROW_MAJOR;
    const tt_mock::ArchGeometry& geo = arch.geo;
    for (const auto& r : spec.grid().ranges()) {
        if (r.end_coord.x >= geo.grid_x || r.end_coord.y >= geo.grid_y) {
            throw_error(what + "shard grid core range " + r.str() + " lies outside the " + arch.grid() + " " +
                        arch.title + " compute grid");
        }
    }
    const std::uint32_t n_rows = (tensor[0] + sr - 1) / sr, n_cols = (tensor[1] + sc - 1) / sc;
    // shard (i, j) of the n_rows x n_cols shard grid -> its core
    std::vector<CoreCoord> cores;
    auto core_of = [&](std::uint32_t i, std::uint32_t j) -> CoreCoord {
        if (st.layout == TensorMemoryLayout::BLOCK_SHARDED) {
            const CoreRange box = spec.grid().bounding_box();
            return row_major ? CoreCoord(box.start_coord.x + j, box.start_coord.y + i)
                             : CoreCoord(box.start_coord.x + i, box.start_coord.y + j);
        }
        return cores[st.layout == TensorMemoryLayout::HEIGHT_SHARDED ? i : j];
    };
    if (st.layout == TensorMemoryLayout::HEIGHT_SHARDED || st.layout == TensorMemoryLayout::WIDTH_SHARDED) {
        const bool height = st.layout == TensorMemoryLayout::HEIGHT_SHARDED;
        if (height ? sc != tensor[1] : sr != tensor[0]) {
            throw_error(what + "a " + (height ? "height" : "width") + " shard spans the tensor's whole " +
                        (height ? "width" : "height") + " (" + std::to_string(height ? tensor[1] : tensor[0]) +
                        " pages), but the shard is " + std::to_string(height ? sc : sr) + " pages " +
                        (height ? "wide" : "high"));
        }
        cores = corerange_to_cores(spec.grid(), std::nullopt, row_major);
        const std::uint32_t shards = height ? n_rows : n_cols;
        if (shards > cores.size()) {
            throw_error(what + std::to_string(shards) + " shards do not fit the " + std::to_string(cores.size()) +
                        " cores of the shard grid");
        }
    } else {
        const CoreRange box = spec.grid().bounding_box();
        if (box.size() != spec.grid().num_cores()) {
            throw_error(what + "the shard grid of a block-sharded buffer must be one rectangle of cores, not " +
                        spec.grid().str());
        }
        const std::size_t gx = box.grid_size().x, gy = box.grid_size().y;
        if ((row_major ? n_cols : n_rows) > gx || (row_major ? n_rows : n_cols) > gy) {
            throw_error(what + "the " + std::to_string(n_rows) + "x" + std::to_string(n_cols) +
                        " shards (rows x columns) do not fit the " + std::to_string(gx) + "x" + std::to_string(gy) +
                        " shard grid " + box.str() + " in " + (row_major ? "ROW_MAJOR" : "COL_MAJOR") + " orientation");
        }
    }
    st.shard_pages.assign(arch.num_cores(), {});
    for (std::uint32_t i = 0; i < n_rows; ++i) {
        for (std::uint32_t j = 0; j < n_cols; ++j) {
            const CoreCoord c = core_of(i, j);
            std::vector<std::uint32_t>& slots = st.shard_pages[c.y * geo.grid_x + c.x];
            slots.assign(static_cast<std::size_t>(sr) * sc, kNoPage);
            for (std::uint32_t r = 0; r < sr && i * sr + r < tensor[0]; ++r) {
                for (std::uint32_t q = 0; q < sc && j * sc + q < tensor[1]; ++q) {
                    slots[r * sc + q] = (i * sr + r) * tensor[1] + j * sc + q;
                }
            }
        }
    }
    st.pages_per_bank = sr * sc;  // every core of the grid reserves a whole shard at the buffer's address
}

std::shared_ptr<MeshBuffer> MeshBuffer::create(const MeshBufferConfig& cfg, const DeviceLocalBufferConfig& local,
                                               MeshDevice* mesh_device, std::optional<DeviceAddr> address) {
    if (mesh_device == nullptr || !mesh_device->is_open()) throw_error("MeshBuffer::create: device is not open");
    if (address) throw_error("MeshBuffer::create: buffers at a given address are not supported by the mock");
    auto st = std::make_unique<BufferState>();
    DeviceState& dev = mesh_device->state();
    st->device = mesh_device;
    st->dev = &dev;
    st->local_config = local;
    if (const auto* r = std::get_if<ReplicatedBufferConfig>(&cfg)) {
        st->size = r->size;
    } else {
        st->size = std::get<ShardedBufferConfig>(cfg).global_size;
    }
    if (local.page_size == 0 || st->size % local.page_size != 0) {
        throw_error("MeshBuffer::create: size " + std::to_string(st->size) + " is not a multiple of page size " +
                    std::to_string(local.page_size));
    }
    if (local.buffer_type != BufferType::DRAM && local.buffer_type != BufferType::L1) {
        throw_error("MeshBuffer::create: only DRAM and L1 buffers are supported by the mock");
    }
    st->is_dram = local.buffer_type == BufferType::DRAM;
    st->page_size = static_cast<std::uint32_t>(local.page_size);
    const tt_mock::ArchGeometry& geo = dev.arch->geo;
    const std::uint32_t align = st->is_dram ? geo.dram_alignment : geo.l1_alignment;
    st->aligned_page_size = (st->page_size + align - 1) / align * align;
    st->num_pages = static_cast<std::uint32_t>(st->size / local.page_size);
    st->num_banks = st->is_dram ? geo.num_dram_banks : dev.arch->num_cores();
    st->pages_per_bank = (st->num_pages + st->num_banks - 1) / st->num_banks;
    st->layout = local.sharding_args.buffer_layout();
    if (st->layout != TensorMemoryLayout::INTERLEAVED || local.sharding_args.shard_spec() ||
        local.sharding_args.buffer_distribution_spec()) {
        plan_shards(*st, local.sharding_args, *dev.arch);
    }
    const std::uint64_t per_bank = static_cast<std::uint64_t>(std::max<std::uint32_t>(st->pages_per_bank, 1)) *
                                   st->aligned_page_size;
    if (st->is_dram) {
        st->address = dram_allocate(dev, per_bank);
        dev.dram_buffers[st->address] = st.get();
    } else {
        const std::uint64_t low = dev.l1_buffer_low;
        if (per_bank + kL1Reserved > low) {
            throw_error("MeshBuffer::create: L1 buffer of " + std::to_string(st->size) + " bytes does not fit in L1");
        }
        st->address = (low - per_bank) / 32 * 32;
        dev.l1_buffer_low = static_cast<std::uint32_t>(st->address);
        dev.l1_buffers[st->address] = st.get();
    }
    st->id = dev.next_buffer_id++;
    st->data.assign(static_cast<std::size_t>(st->size), 0);
    st->allocated = true;
    return std::make_shared<MeshBuffer>(std::move(st));
}

MeshBuffer::~MeshBuffer() { deallocate(); }

void MeshBuffer::deallocate() {
    if (!state_ || !state_->allocated) return;
    if (state_->is_dram) {
        state_->dev->dram_buffers.erase(state_->address);
    } else {
        state_->dev->l1_buffers.erase(state_->address);
        if (state_->dev->l1_buffers.empty()) state_->dev->l1_buffer_low = state_->dev->arch->geo.l1_size;
    }
    state_->allocated = false;
    state_->data.clear();
    state_->data.shrink_to_fit();
}

DeviceAddr MeshBuffer::address() const { return state_->address; }
DeviceAddr MeshBuffer::size() const { return state_->size; }
DeviceAddr MeshBuffer::page_size() const { return state_->page_size; }

}  // namespace distributed

DeviceAddr Buffer::address() const { return state_->address; }
DeviceAddr Buffer::size() const { return state_->size; }
DeviceAddr Buffer::page_size() const { return state_->page_size; }
DeviceAddr Buffer::aligned_page_size() const { return state_->aligned_page_size; }
std::uint32_t Buffer::num_pages() const { return state_->num_pages; }
BufferType Buffer::buffer_type() const { return state_->is_dram ? BufferType::DRAM : BufferType::L1; }
bool Buffer::is_allocated() const { return state_->allocated; }
TensorMemoryLayout Buffer::buffer_layout() const { return state_->layout; }
bool Buffer::has_shard_spec() const { return state_->local_config.sharding_args.shard_spec().has_value(); }
ShardSpecBuffer Buffer::shard_spec() const {
    if (!has_shard_spec()) throw_error("Buffer::shard_spec: the buffer is not sharded");
    return *state_->local_config.sharding_args.shard_spec();
}

std::uint32_t Allocator::get_alignment(BufferType buffer_type) const {
    return buffer_type == BufferType::DRAM ? dev_->arch->geo.dram_alignment : dev_->arch->geo.l1_alignment;
}

namespace distributed {
BufferType MeshBuffer::buffer_type() const { return state_->local_config.buffer_type; }
bool MeshBuffer::is_allocated() const { return state_->allocated; }
MeshDevice* MeshBuffer::device() const { return state_->device; }
const DeviceLocalBufferConfig& MeshBuffer::device_local_config() const { return state_->local_config; }

void tt_mock_write_buffer(MeshCommandQueue&, MeshBuffer& buffer, const void* src, std::size_t bytes) {
    BufferState& st = buffer.state();
    if (!st.allocated) throw_error("EnqueueWriteMeshBuffer: buffer is deallocated");
    if (bytes != st.size) {
        throw_error("EnqueueWriteMeshBuffer: host data has " + std::to_string(bytes) + " bytes but the buffer has " +
                    std::to_string(st.size) + (bytes < st.size ? ": on the device the copy would read past the end of "
                                                                 "the host data (undefined behaviour)"
                                                               : ": the host data does not fit the buffer") +
                    "; pass exactly the buffer's size");
    }
    std::memcpy(st.data.data(), src, bytes);
}

void tt_mock_read_buffer(MeshCommandQueue&, MeshBuffer& buffer, void* dst, std::size_t bytes) {
    BufferState& st = buffer.state();
    if (!st.allocated) throw_error("EnqueueReadMeshBuffer: buffer is deallocated");
    std::memcpy(dst, st.data.data(), std::min<std::size_t>(bytes, st.data.size()));
}

void EnqueueMeshWorkload(MeshCommandQueue& mesh_cq, MeshWorkload& mesh_workload, bool) {
    MeshDevice* dev = mesh_cq.device();
    if (!dev->is_open()) throw_error("EnqueueMeshWorkload: device is closed");
    for (auto& [range, program] : mesh_workload.get_programs()) {
        (void)range;
        run_program(dev->state(), program.state());
    }
}

void Finish(MeshCommandQueue& mesh_cq) { mesh_cq.finish(); }

}  // namespace distributed
}  // namespace tt::tt_metal

namespace tt_mock {
void SetMetal2Bindings(tt::tt_metal::Program& program, tt::tt_metal::KernelHandle kernel, const Metal2Bindings& bindings) {
    tt::tt_metal::set_metal2_bindings(program, kernel, bindings);
}
}  // namespace tt_mock
