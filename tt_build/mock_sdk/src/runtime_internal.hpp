// tt-build mock SDK runtime: internal state shared by the host API, the kernel builder and the executor.
#pragma once

#include <ucontext.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tt-metalium/tt_mock_host.hpp"
#include "tt_mock/kernel_abi.h"

namespace tt::tt_metal::tt_mock_impl {

// ---- device geometry ---------------------------------------------------------------------------------
inline constexpr std::uint32_t kL1Reserved = 0x19000;             // firmware, mailboxes, kernel args (100 KiB)
inline constexpr std::uint32_t kL1ArgBase = 0x10000;              // runtime args live in the reserve
inline constexpr std::uint32_t kL1ArgStride = 0x1000;             // per processor: unique args, then common args at +0x800
inline constexpr std::uint32_t kL1SemBase = 0x18000;              // semaphores (16 x 16 B)
inline constexpr std::uint32_t kMaxRuntimeArgs = 341;
inline constexpr std::uint32_t kDramBase = 0x40;             // first allocatable DRAM bank address
inline constexpr std::uint32_t kNumCBs = tt_mock::kMaxCBs;   // size of per-core CB tables (any architecture)
inline constexpr std::uint32_t kNumCores = tt_mock::kMaxCores;

[[noreturn]] void throw_error(const std::string& msg);

std::string env_str(const char* name, const std::string& dflt = "");

// The device-time model's figures of an architecture (an estimate; see docs/mock_sdk.md "Device-time
// model" for the public sources and the calibration).
struct TimingModel {
    double clock_ghz;             // AI clock
    double dram_bytes_per_cycle;  // DRAM bandwidth shared by all cores (GB/s / clock)
    double noc_bytes_per_cycle;   // one NOC link / a core's NOC port
    double dram_latency;          // cycles from a DRAM request to its first bytes
    double hop_latency;           // cycles per NOC router hop
    double noc_issue;             // cycles a RISC spends issuing one NOC transaction
};
// Wormhole n150: 1 GHz AI clock, 288 GB/s GDDR6, 32 B/cycle NOC links.
inline constexpr TimingModel kWormholeTiming{1.0, 288.0, 32.0, 400.0, 9.0, 32.0};
// Blackhole p150: 1.35 GHz AI clock, 512 GB/s GDDR6, 64 B/cycle NOC links.
inline constexpr TimingModel kBlackholeTiming{1.35, 512.0 / 1.35, 64.0, 500.0, 9.0, 32.0};

// The architecture of the simulated device.
struct Arch {
    const char* name;   // as in TT_MOCK_ARCH: wormhole_b0 | blackhole
    const char* title;  // Wormhole | Blackhole
    tt::ARCH id;
    const char* define;  // the kernel compile define: ARCH_WORMHOLE | ARCH_BLACKHOLE
    tt_mock::ArchGeometry geo;
    TimingModel timing;

    std::uint32_t num_cores() const { return geo.grid_x * geo.grid_y; }
    std::uint32_t cb_budget() const { return geo.l1_size - kL1Reserved; }
    std::string grid() const { return std::to_string(geo.grid_x) + "x" + std::to_string(geo.grid_y); }
};

// The open device's architecture; with no device open, the one a device opened now would have:
// $TT_MOCK_ARCH if set, else the architecture this runtime was built for (TT_MOCK_DEFAULT_ARCH),
// else wormhole_b0. Throws on an unknown name.
const Arch& current_arch();
// Resolves $TT_MOCK_ARCH / the build default (ignoring an open device).
const Arch& resolve_arch();

// ---- buffers ----------------------------------------------------------------------------------------
struct BufferState {
    distributed::MeshDevice* device = nullptr;
    DeviceState* dev = nullptr;
    distributed::DeviceLocalBufferConfig local_config;
    std::uint64_t size = 0;
    std::uint32_t page_size = 0;
    std::uint32_t aligned_page_size = 0;
    std::uint32_t num_pages = 0;
    std::uint32_t num_banks = 0;
    std::uint32_t pages_per_bank = 0;
    std::uint64_t address = 0;  // bank address (same in every bank)
    bool is_dram = true;
    bool allocated = false;
    std::uint32_t id = 0;
    std::vector<std::uint8_t> data;  // pages in page-id order, page_size bytes each
    // L1-sharded buffers: per bank (core index, row-major over the grid), the page held in each slot of the
    // core's shard (kNoPage: a padding slot of a partial shard); empty for interleaved buffers
    std::vector<std::vector<std::uint32_t>> shard_pages;
    TensorMemoryLayout layout = TensorMemoryLayout::INTERLEAVED;
};

inline constexpr std::uint32_t kNoPage = 0xffffffffu;

// The page an L1 / DRAM bank holds in slot `row` of the buffer (interleaved: round robin over the banks;
// sharded: the shard's page in that slot), or kNoPage.
inline std::uint64_t page_in_bank(const BufferState& b, std::uint32_t bank, std::uint64_t row) {
    if (b.shard_pages.empty()) return row * b.num_banks + bank;
    if (bank >= b.shard_pages.size() || row >= b.shard_pages[bank].size()) return kNoPage;
    return b.shard_pages[bank][row];
}

struct DeviceState {
    const Arch* arch = nullptr;
    int device_id = 0;
    bool open = true;
    std::uint32_t next_buffer_id = 1;
    std::map<std::uint64_t, BufferState*> dram_buffers;  // address -> buffer
    std::map<std::uint64_t, BufferState*> l1_buffers;    // address -> buffer
    std::uint32_t l1_buffer_low = 0;                      // L1 buffers grow down from the top of L1
    std::uint64_t workloads_run = 0;
    std::string stats_json_entries;  // accumulated per-workload stats (TT_MOCK_STATS=<path>)
};

std::uint64_t dram_allocate(DeviceState& dev, std::uint64_t bytes_per_bank);

// ---- programs -----------------------------------------------------------------------------------------
enum class Role : std::uint8_t { Riscv0 = 0, Riscv1 = 1, Compute = 2 };
const char* role_name(Role r);

// A Metal 2.0 name of a kernel (tt_mock::SetMetal2Bindings): args::, dfb:: and tensor:: constants of
// its generated bindings.
struct Metal2Name {
    enum class Kind : std::uint8_t { CompileTimeArg, RuntimeArg, CommonRuntimeArg, DataflowBuffer, Tensor };
    Kind kind;
    std::string name;
    std::uint32_t a = 0;  // value | argument index | CB index | CTA offset
    std::uint32_t b = 0;  // Tensor: index of the address among the common runtime args
};

struct KernelSpec {
    std::string path;      // as given to CreateKernel
    std::string resolved;  // absolute path of the source
    Role role = Role::Riscv0;
    std::vector<CoreCoord> cores;
    std::vector<std::uint32_t> compile_args;
    std::map<std::string, std::string> defines;
    std::map<std::string, std::uint32_t> named_compile_args;
    bool fp32_dest_acc_en = false;
    bool dst_full_sync_en = false;
    bool math_approx_mode = false;
    int math_fidelity = 4;
    int noc = 0;
    std::map<CoreCoord, std::vector<std::uint32_t>> rt_args;
    std::vector<std::uint32_t> common_args;
    std::map<CoreCoord, RuntimeArgsData> rt_views;
    RuntimeArgsData common_view;
    std::vector<Metal2Name> metal2;  // empty: a kernel of the legacy API
};

struct CBSpec {
    std::vector<CoreCoord> cores;
    std::uint32_t total_size = 0;
    std::map<std::uint8_t, tt::DataFormat> formats;
    std::map<std::uint8_t, std::uint32_t> page_sizes;
};

struct SemaphoreSpec {
    std::vector<CoreCoord> cores;
    std::uint32_t initial_value = 0;
    std::uint32_t id = 0;
};

struct ProgramState {
    std::vector<KernelSpec> kernels;
    std::vector<CBSpec> cbs;
    std::vector<SemaphoreSpec> semaphores;
};

std::vector<CoreCoord> cores_of(const CoreSpec& spec);

// ---- kernel build -------------------------------------------------------------------------------------
struct KernelBuildRequest {
    const KernelSpec* kernel = nullptr;
    const Arch* arch = nullptr;
    std::array<std::uint8_t, kNumCBs> cb_formats{};
    std::array<std::uint32_t, kNumCBs> cb_tile_sizes{};
};

// Compiles (or finds in a cache) every request; returns the .so path for each. Throws on errors.
std::vector<std::string> build_kernels(const std::vector<KernelBuildRequest>& requests);

// ---- execution ----------------------------------------------------------------------------------------
void run_program(DeviceState& dev, ProgramState& program);

}  // namespace tt::tt_metal::tt_mock_impl
