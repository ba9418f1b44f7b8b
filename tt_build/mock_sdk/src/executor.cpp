// tt-build mock SDK runtime: running a program's kernels on CPU executors, with protocol checks.
//
// Every (core, processor) pair is an executor: a ucontext fiber with its own stack. One host thread
// runs them cooperatively: an executor runs until it blocks (cb_wait_front / cb_reserve_back that
// cannot be satisfied, a polling loop) or finishes; the scheduler then resumes the next runnable
// executor in a fixed order (cores in row-major order, then RISCV_0, RISCV_1, compute). The schedule
// is therefore fully deterministic, and "no executor can run" is detected exactly (deadlock).
#include <dlfcn.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "runtime_internal.hpp"
#include "tile_math.hpp"

namespace tt::tt_metal::tt_mock_impl {
namespace {

// ---- L1 arena -------------------------------------------------------------------------------------------
// Kernels hold L1 addresses in 32-bit words (get_write_ptr(), get_arg_addr(), get_semaphore(), the
// fifo pointers of get_local_cb_interface()) and dereference them, as on the device. The simulated
// L1 of the cores must therefore be host memory below 4 GiB, where a 32-bit address is a valid
// pointer. Each run maps the L1 of exactly the cores its program uses (one L1 size per core) and
// unmaps it when the run ends, so any number of copies of this runtime in one process (one per
// kernel package or host library) can run programs one after another; only programs running at the
// same moment, in different threads, share the space below 4 GiB.
class L1Arena {
public:
    L1Arena(std::size_t cores, std::uint32_t stride) : stride_(stride), bytes_(cores * stride) {
        if (bytes_ == 0) return;
        constexpr std::uint64_t kLow = 0x10000000ull, kTop = 1ull << 32, kStep = 0x1000000ull;
        for (std::uint64_t hint = kLow; hint + bytes_ <= kTop; hint += kStep) {
            void* p = mmap(reinterpret_cast<void*>(hint), bytes_, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
            if (p == MAP_FAILED) continue;
            if (reinterpret_cast<std::uint64_t>(p) + bytes_ <= kTop) {
                base_ = static_cast<std::uint8_t*>(p);
                return;
            }
            munmap(p, bytes_);  // a kernel without MAP_FIXED_NOREPLACE placed it elsewhere
        }
        throw_error("cannot map the simulated L1 memory of " + std::to_string(cores) + " cores (" +
                    std::to_string(bytes_) + " bytes) below 4 GiB: the address space there is taken by other "
                    "programs running at the same time in this process");
    }
    ~L1Arena() {
        if (base_ != nullptr) munmap(base_, bytes_);
    }
    L1Arena(const L1Arena&) = delete;
    L1Arena& operator=(const L1Arena&) = delete;

    std::uint8_t* core(std::size_t slot) const { return base_ + slot * stride_; }
    // (slot, offset) of a kernel-visible L1 address; false outside the arena.
    bool split(std::uint32_t addr, std::size_t& slot, std::uint32_t& off) const {
        const std::uint64_t base = reinterpret_cast<std::uint64_t>(base_);
        if (base_ == nullptr || addr < base || addr >= base + bytes_) return false;
        slot = static_cast<std::size_t>((addr - base) / stride_);
        off = static_cast<std::uint32_t>((addr - base) % stride_);
        return true;
    }

private:
    std::uint8_t* base_ = nullptr;
    std::uint32_t stride_;
    std::size_t bytes_;
};

enum class Stat : int { Matmul, Add, Sub, Mul, Copy, Pack, Sfpu, Count };
const char* const kStatNames[] = {"matmul", "add", "sub", "mul", "copy", "pack", "sfpu"};

struct CoreStats {
    std::uint64_t noc_read_bytes = 0, noc_write_bytes = 0, noc_reads = 0, noc_writes = 0;
    std::uint64_t tiles[static_cast<int>(Stat::Count)] = {};
    std::uint64_t stalls_wait_front = 0, stalls_reserve_back = 0;
};

struct CBState {
    bool configured = false;
    std::uint32_t base = 0;  // L1 offset
    std::uint32_t page_size = 0;
    std::uint32_t num_pages = 0;
    tt::DataFormat format = tt::DataFormat::Invalid;
    std::uint32_t rd = 0, wr = 0;  // page slots
    std::uint32_t avail = 0;       // pushed, not yet popped
    std::uint32_t reserved = 0;    // reserved by the producer, not yet pushed
    std::uint32_t waited = 0;      // guaranteed to the consumer by cb_wait_front
    std::uint32_t pack_slot = 0;   // next sequential pack_tile slot since the last push
    std::uint64_t pushed = 0, popped = 0;             // pages over the whole run
    std::uint8_t producers = 0, consumers = 0;        // bit (1 << Role) per processor that pushed / popped
};

enum class DstState { Idle, Acquired, Committed, Waited, Legacy };

struct CoreState {
    CoreCoord logical;
    std::uint32_t index = 0;  // y * grid width + x
    std::size_t slot = 0;     // position in Run::cores and in the L1 arena
    std::uint8_t* l1 = nullptr;
    std::uint32_t l1_addr = 0;  // kernel-visible address of L1 offset 0
    CBState cb[kNumCBs];
    CoreStats stats;
    // compute
    std::vector<float> dst;
    DstState dst_state = DstState::Idle;
    std::uint32_t dst_capacity = 16;
    bool mm_transpose = false;
    bool fp32_dest = false;
    std::uint32_t relu_mode = 0;  // ckernel::ReluType set by pack_relu_config
    float relu_threshold = 0.0f;
    std::uint32_t dst_reduced = 0;  // DST tiles a reduce has written since tile_regs_acquire (bit per tile)
    bool pack_l1_acc = false;       // pack_reconfig_l1_acc(1): pack_tile adds to the CB tile it overwrites
};

enum class ExecState { Ready, Running, Blocked, Poll, Done, Failed };
enum class WaitKind { None, Front, Back };

struct Range {
    std::uint32_t core, begin, end;
};

struct LoadedKernel {
    int (*bind)(const tt_mock::KernelApi*) = nullptr;
    void (*run)() = nullptr;
};

struct Executor {
    CoreState* core = nullptr;
    const KernelSpec* kernel = nullptr;
    LoadedKernel* so = nullptr;
    ucontext_t ctx{};
    void* stack = nullptr;
    ExecState state = ExecState::Ready;
    WaitKind wait = WaitKind::None;
    std::int32_t wait_cb = 0, wait_n = 0;
    std::uint32_t arg_count = 0, common_count = 0;
    std::uint32_t arg_off = 0, common_off = 0;
    std::vector<Range> pending_reads, pending_writes;
    std::string error;
};

struct Run {
    DeviceState* dev = nullptr;
    ProgramState* prog = nullptr;
    std::vector<std::unique_ptr<CoreState>> cores;
    CoreState* core_by_index[kNumCores] = {};
    std::unique_ptr<L1Arena> arena;
    std::vector<std::unique_ptr<Executor>> execs;
    ucontext_t sched{};
    std::uint64_t progress = 0;
    std::uint64_t steps = 0;
    std::uint64_t step_limit = 0;
};

thread_local Run* g_run = nullptr;
thread_local Executor* g_cur = nullptr;

std::string hex(std::uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string where(const Executor& e) {
    return "core (" + std::to_string(e.core->logical.x) + "," + std::to_string(e.core->logical.y) + ") " +
           role_name(e.kernel->role) + " kernel '" + e.kernel->path + "'";
}

// The kernels of a core that ran on the processors of `roles` (a Role bit mask), joined with " and ".
std::string kernels_of(const Run& run, const CoreState& core, std::uint8_t roles) {
    std::string out;
    for (const auto& e : run.execs) {
        if (e->core != &core || !(roles & (1u << static_cast<unsigned>(e->kernel->role)))) continue;
        out += (out.empty() ? "" : " and ") + std::string(role_name(e->kernel->role)) + " kernel '" + e->kernel->path + "'";
    }
    return out;
}

[[noreturn]] void fail(Executor* e, const std::string& msg) {
    e->error = where(*e) + ": " + msg;
    e->state = ExecState::Failed;
    swapcontext(&e->ctx, &g_run->sched);
    std::abort();  // a failed executor is never resumed
}

Executor* cur() {
    Executor* e = g_cur;
    if (++g_run->steps > g_run->step_limit) {
        fail(e, "exceeded the step budget of " + std::to_string(g_run->step_limit) +
                    " device API calls (TT_MOCK_STEP_LIMIT): livelock or runaway loop");
    }
    return e;
}

void yield(Executor* e, ExecState st) {
    e->state = st;
    swapcontext(&e->ctx, &g_run->sched);
    e->state = ExecState::Running;
}

CBState& cb_of(Executor* e, std::int32_t cb, const char* call) {
    const std::uint32_t num_cbs = g_run->dev->arch->geo.num_cbs;
    if (cb < 0 || cb >= static_cast<std::int32_t>(num_cbs)) {
        fail(e, std::string(call) + ": CB id " + std::to_string(cb) + " is out of range (c_0..c_" +
                    std::to_string(num_cbs - 1) + ")");
    }
    CBState& c = e->core->cb[cb];
    if (!c.configured) {
        fail(e, std::string(call) + ": CB " + std::to_string(cb) + " is not configured on this core (CreateCircularBuffer)");
    }
    return c;
}

std::string cb_status(const CBState& c) {
    return std::to_string(c.avail) + " of " + std::to_string(c.num_pages) + " pages filled, " +
           std::to_string(c.reserved) + " reserved by the producer, " + std::to_string(c.waited) +
           " waited by the consumer";
}

// ---- runtime args ---------------------------------------------------------------------------------
std::uint32_t api_arg_addr(int idx) {
    Executor* e = cur();
    if (idx < 0 || static_cast<std::uint32_t>(idx) >= e->arg_count) {
        fail(e, "get_arg_val(" + std::to_string(idx) + "): only " + std::to_string(e->arg_count) +
                    " runtime args were set for this kernel on this core (SetRuntimeArgs)");
    }
    return e->core->l1_addr + e->arg_off + 4u * static_cast<std::uint32_t>(idx);
}

std::uint32_t api_common_arg_addr(int idx) {
    Executor* e = cur();
    if (idx < 0 || static_cast<std::uint32_t>(idx) >= e->common_count) {
        fail(e, "get_common_arg_val(" + std::to_string(idx) + "): only " + std::to_string(e->common_count) +
                    " common runtime args were set for this kernel (SetCommonRuntimeArgs)");
    }
    return e->core->l1_addr + e->common_off + 4u * static_cast<std::uint32_t>(idx);
}

// ---- circular buffers -------------------------------------------------------------------------------
bool overlaps(const Range& r, std::uint32_t core, std::uint32_t begin, std::uint32_t end) {
    return r.core == core && r.begin < end && begin < r.end;
}

void api_cb_reserve_back(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_reserve_back");
    const std::string call = "cb_reserve_back(cb=" + std::to_string(cb) + ", " + std::to_string(n) + " pages)";
    if (n == 0) {  // a no-op on the device too
        ++g_run->progress;
        return;
    }
    if (n < 0 || static_cast<std::uint32_t>(n) > c.num_pages) {
        fail(e, call + ": CB " + std::to_string(cb) + " holds only " + std::to_string(c.num_pages) +
                    " pages: the reservation can never be satisfied");
    }
    if (c.wr + static_cast<std::uint32_t>(n) > c.num_pages) {
        fail(e, call + ": the reservation starts at slot " + std::to_string(c.wr) + " and would wrap past the end of the " +
                    std::to_string(c.num_pages) + "-page FIFO: the capacity must be a multiple of the block size");
    }
    if (c.num_pages - c.avail < static_cast<std::uint32_t>(n)) {
        ++e->core->stats.stalls_reserve_back;
        e->wait = WaitKind::Back;
        e->wait_cb = cb;
        e->wait_n = n;
        yield(e, ExecState::Blocked);
        e->wait = WaitKind::None;
    }
    c.reserved = std::max(c.reserved, static_cast<std::uint32_t>(n));
    ++g_run->progress;
}

void api_cb_push_back(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_push_back");
    const std::string call = "cb_push_back(cb=" + std::to_string(cb) + ", " + std::to_string(n) + " pages)";
    if (n <= 0 || static_cast<std::uint32_t>(n) > c.reserved) {
        fail(e, call + ": only " + std::to_string(c.reserved) +
                    " pages are reserved (push without a matching cb_reserve_back); " + cb_status(c));
    }
    const std::uint32_t begin = c.base + c.wr * c.page_size, end = begin + static_cast<std::uint32_t>(n) * c.page_size;
    for (const auto& r : e->pending_reads) {
        if (overlaps(r, e->core->index, begin, end)) {
            fail(e, call + ": a noc_async_read into these pages has not completed: call noc_async_read_barrier() "
                          "before cb_push_back");
        }
    }
    // Each processor keeps its own copy of a CB's FIFO pointers: a second producing processor
    // would write over the first one's pages.
    const auto me = static_cast<std::uint8_t>(1u << static_cast<unsigned>(e->kernel->role));
    if (c.producers & ~me) {
        fail(e, call + ": CB " + std::to_string(cb) + " is also pushed by " + kernels_of(*g_run, *e->core, c.producers & ~me) +
                    " on this core: a circular buffer has one producing processor (each processor keeps its own "
                    "copy of the FIFO write pointer)");
    }
    c.reserved -= static_cast<std::uint32_t>(n);
    c.avail += static_cast<std::uint32_t>(n);
    c.pushed += static_cast<std::uint32_t>(n);
    c.producers |= me;
    c.wr = (c.wr + static_cast<std::uint32_t>(n)) % c.num_pages;
    c.pack_slot = 0;
    ++g_run->progress;
}

void api_cb_wait_front(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_wait_front");
    if (n <= 0 || static_cast<std::uint32_t>(n) > c.num_pages) {
        fail(e, "cb_wait_front(cb=" + std::to_string(cb) + ", " + std::to_string(n) + " pages): CB " +
                    std::to_string(cb) + " holds only " + std::to_string(c.num_pages) +
                    " pages: the wait can never be satisfied");
    }
    if (c.avail < static_cast<std::uint32_t>(n)) {
        ++e->core->stats.stalls_wait_front;
        e->wait = WaitKind::Front;
        e->wait_cb = cb;
        e->wait_n = n;
        yield(e, ExecState::Blocked);
        e->wait = WaitKind::None;
    }
    c.waited = std::max(c.waited, static_cast<std::uint32_t>(n));
    ++g_run->progress;
}

void api_cb_pop_front(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_pop_front");
    const std::string call = "cb_pop_front(cb=" + std::to_string(cb) + ", " + std::to_string(n) + " pages)";
    if (n <= 0 || static_cast<std::uint32_t>(n) > c.waited) {
        fail(e, call + ": only " + std::to_string(c.waited) +
                    " pages were obtained with cb_wait_front (pop without wait); " + cb_status(c));
    }
    if (c.rd + static_cast<std::uint32_t>(n) <= c.num_pages) {
        const std::uint32_t begin = c.base + c.rd * c.page_size;
        const std::uint32_t end = begin + static_cast<std::uint32_t>(n) * c.page_size;
        for (const auto& ex : g_run->execs) {
            if (ex->core != e->core) continue;
            for (const auto& r : ex->pending_writes) {
                if (overlaps(r, e->core->index, begin, end)) {
                    fail(e, call + ": a noc_async_write from these pages has not completed: call "
                                  "noc_async_writes_flushed() or noc_async_write_barrier() before cb_pop_front");
                }
            }
        }
    }
    const auto me = static_cast<std::uint8_t>(1u << static_cast<unsigned>(e->kernel->role));
    if (c.consumers & ~me) {
        fail(e, call + ": CB " + std::to_string(cb) + " is also popped by " + kernels_of(*g_run, *e->core, c.consumers & ~me) +
                    " on this core: a circular buffer has one consuming processor (each processor keeps its own "
                    "copy of the FIFO read pointer)");
    }
    c.waited -= static_cast<std::uint32_t>(n);
    c.avail -= static_cast<std::uint32_t>(n);
    c.popped += static_cast<std::uint32_t>(n);
    c.consumers |= me;
    c.rd = (c.rd + static_cast<std::uint32_t>(n)) % c.num_pages;
    ++g_run->progress;
}

bool api_cb_pages_reservable_at_back(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_pages_reservable_at_back");
    const bool ok = n >= 0 && c.num_pages - c.avail >= static_cast<std::uint32_t>(n);
    if (!ok) yield(e, ExecState::Poll);
    return ok;
}

bool api_cb_pages_available_at_front(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_pages_available_at_front");
    const bool ok = n >= 0 && c.avail >= static_cast<std::uint32_t>(n);
    if (!ok) yield(e, ExecState::Poll);
    return ok;
}

std::uint32_t api_get_write_ptr(std::int32_t cb) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "get_write_ptr");
    return e->core->l1_addr + c.base + c.wr * c.page_size;
}

std::uint32_t api_get_read_ptr(std::int32_t cb) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "get_read_ptr");
    return e->core->l1_addr + c.base + c.rd * c.page_size;
}

std::uint32_t api_cb_page_size(std::int32_t cb) { return cb_of(cur(), cb, "CB page size").page_size; }
std::uint32_t api_cb_num_pages(std::int32_t cb) { return cb_of(cur(), cb, "CB page count").num_pages; }

// ---- NOC --------------------------------------------------------------------------------------------------
struct Decoded {
    bool dram = false;
    std::uint32_t x = 0, y = 0;
    std::uint64_t addr = 0;
};

Decoded decode(std::uint64_t noc_addr) {
    Decoded d;
    d.addr = noc_addr & ((1ull << tt_mock::kNocAddrLocalBits) - 1);
    d.x = static_cast<std::uint32_t>((noc_addr >> tt_mock::kNocAddrLocalBits) & 63);
    d.y = static_cast<std::uint32_t>((noc_addr >> (tt_mock::kNocAddrLocalBits + tt_mock::kNocAddrNodeIdBits)) & 63);
    d.dram = d.y == 0 && d.x < g_run->dev->arch->geo.num_dram_banks;
    return d;
}

// The core whose L1 holds a kernel-visible L1 address, and the offset in it; nullptr outside every
// core of the run.
CoreState* split_l1(std::uint32_t addr, std::uint32_t& off) {
    std::size_t slot = 0;
    if (!g_run->arena->split(addr, slot, off)) return nullptr;
    return g_run->cores[slot].get();
}

// Where a local-L1 range may be: inside a CB of the core, or the semaphore words.
bool in_cb_region(const CoreState& core, std::uint32_t off, std::uint32_t size) {
    for (const auto& c : core.cb) {
        if (c.configured && off >= c.base && off + size <= c.base + c.num_pages * c.page_size) return true;
    }
    return off >= kL1SemBase && off + size <= kL1SemBase + 16 * 16;
}

std::uint32_t local_l1(Executor* e, std::uint32_t addr, std::uint32_t size, const char* call) {
    std::uint32_t off = 0;
    if (split_l1(addr, off) != e->core) {
        fail(e, std::string(call) + ": local L1 address " + hex(addr) + " is not in this core's L1");
    }
    if (!in_cb_region(*e->core, off, size)) {
        fail(e, std::string(call) + ": local L1 range [" + hex(off) + ", " + hex(off + size) +
                    ") is outside every circular buffer of this core");
    }
    return off;
}

// Resolves a remote NOC range to host memory; fails with a precise message when out of bounds.
std::uint8_t* resolve_remote(Executor* e, std::uint64_t noc_addr, std::uint32_t size, const char* call) {
    const Decoded d = decode(noc_addr);
    DeviceState& dev = *g_run->dev;
    const tt_mock::ArchGeometry& geo = dev.arch->geo;
    const bool is_worker = d.x >= tt_mock::kWorkerNocOffset && d.y >= tt_mock::kWorkerNocOffset &&
                           d.x < tt_mock::kWorkerNocOffset + geo.grid_x &&
                           d.y < tt_mock::kWorkerNocOffset + geo.grid_y;
    if (!d.dram && !is_worker) {
        fail(e, std::string(call) + ": NOC address " + hex(noc_addr) + " names no DRAM bank or Tensix core (x=" +
                    std::to_string(d.x) + ", y=" + std::to_string(d.y) + ")");
    }
    const std::uint32_t bank =
        d.dram ? d.x : (d.y - tt_mock::kWorkerNocOffset) * geo.grid_x + (d.x - tt_mock::kWorkerNocOffset);
    const auto& buffers = d.dram ? dev.dram_buffers : dev.l1_buffers;
    auto it = buffers.upper_bound(d.addr);
    if (it != buffers.begin()) {
        --it;
        BufferState& b = *it->second;
        const std::uint64_t rel = d.addr - b.address;
        if (rel < static_cast<std::uint64_t>(b.pages_per_bank) * b.aligned_page_size) {
            const std::uint64_t row = rel / b.aligned_page_size, within = rel % b.aligned_page_size;
            const std::uint64_t page = row * b.num_banks + bank;
            if (page >= b.num_pages) {
                fail(e, std::string(call) + ": page " + std::to_string(page) + " is out of range: the " +
                            (b.is_dram ? "DRAM" : "L1") + " buffer at " + hex(b.address) + " has " +
                            std::to_string(b.num_pages) + " pages");
            }
            if (within + size > b.page_size) {
                fail(e, std::string(call) + ": " + std::to_string(size) + " bytes at offset " + std::to_string(within) +
                            " of page " + std::to_string(page) + " run past the end of the " +
                            std::to_string(b.page_size) + "-byte page (buffer at " + hex(b.address) + ")");
            }
            return b.data.data() + page * b.page_size + within;
        }
    }
    if (d.dram) {
        fail(e, std::string(call) + ": DRAM bank " + std::to_string(bank) + " address " + hex(d.addr) +
                    " is not inside any allocated buffer");
    }
    // a Tensix core's L1 (e.g. a CB or semaphore of another core)
    CoreState* target = g_run->core_by_index[bank];
    if (target == nullptr) {
        fail(e, std::string(call) + ": core (" + std::to_string(bank % geo.grid_x) + "," +
                    std::to_string(bank / geo.grid_x) + ") runs no kernel of this program");
    }
    const std::uint32_t off = static_cast<std::uint32_t>(d.addr);
    if (d.addr + size > geo.l1_size || !in_cb_region(*target, off, size)) {
        fail(e, std::string(call) + ": L1 range [" + hex(off) + ", " + hex(off + size) + ") of core (" +
                    std::to_string(target->logical.x) + "," + std::to_string(target->logical.y) +
                    ") is outside its circular buffers and L1 buffers");
    }
    return target->l1 + off;
}

void api_noc_read(std::uint64_t src, std::uint32_t dst_l1, std::uint32_t size) {
    Executor* e = cur();
    const std::uint32_t off = local_l1(e, dst_l1, size, "noc_async_read");
    std::uint8_t* from = resolve_remote(e, src, size, "noc_async_read");
    std::memmove(e->core->l1 + off, from, size);
    e->pending_reads.push_back({e->core->index, off, off + size});
    e->core->stats.noc_read_bytes += size;
    ++e->core->stats.noc_reads;
    ++g_run->progress;
}

void api_noc_write(std::uint32_t src_l1, std::uint64_t dst, std::uint32_t size) {
    Executor* e = cur();
    const std::uint32_t off = local_l1(e, src_l1, size, "noc_async_write");
    std::uint8_t* to = resolve_remote(e, dst, size, "noc_async_write");
    std::memmove(to, e->core->l1 + off, size);
    e->pending_writes.push_back({e->core->index, off, off + size});
    e->core->stats.noc_write_bytes += size;
    ++e->core->stats.noc_writes;
    ++g_run->progress;
}

void api_noc_read_barrier() { cur()->pending_reads.clear(); }
void api_noc_write_barrier() { cur()->pending_writes.clear(); }
void api_noc_writes_flushed() { cur()->pending_writes.clear(); }

std::uint64_t api_local_noc_addr(std::uint32_t x, std::uint32_t y, std::uint32_t addr) {
    std::uint32_t off = addr;  // an L1 offset already, unless it is a pointer into the arena
    if (split_l1(addr, off) == nullptr) off = addr;
    return tt_mock::noc_xy_addr(x, y, off);
}

std::uint32_t api_my_noc_xy() {
    const Executor* e = cur();
    return static_cast<std::uint32_t>(((e->core->logical.y + tt_mock::kWorkerNocOffset) << 16) |
                                      (e->core->logical.x + tt_mock::kWorkerNocOffset));
}

std::uint32_t api_my_logical_xy() {
    const Executor* e = cur();
    return static_cast<std::uint32_t>((e->core->logical.y << 16) | e->core->logical.x);
}

std::uint32_t api_semaphore_addr(std::uint32_t id) {
    Executor* e = cur();
    if (id >= 16) fail(e, "get_semaphore(" + std::to_string(id) + "): semaphore id out of range");
    return e->core->l1_addr + kL1SemBase + id * 16;
}

void api_yield_hint() {
    Executor* e = cur();
    yield(e, ExecState::Poll);
}

[[noreturn]] void api_fail(const char* message) { fail(g_cur, message); }

// ---- compute ----------------------------------------------------------------------------------------------
const char* op_name(std::uint32_t op) {
    switch (op) {
        case tt_mock::kOpMatmulTiles:
        case tt_mock::kOpMatmulTransposeTiles: return "matmul_tiles";
        case tt_mock::kOpAddTiles: return "add_tiles";
        case tt_mock::kOpSubTiles: return "sub_tiles";
        case tt_mock::kOpMulTiles: return "mul_tiles";
        case tt_mock::kOpCopyTile: return "copy_tile";
        case tt_mock::kOpSfpu: return "SFPU op (e.g. exp_tile)";
        case tt_mock::kOpPackTile: return "pack_tile";
        default: return "compute op";
    }
}

void check_dst(Executor* e, std::uint32_t op, std::uint32_t idst, bool pack) {
    CoreState& c = *e->core;
    if (pack) {
        if (c.dst_state != DstState::Waited && c.dst_state != DstState::Legacy) {
            fail(e, std::string("pack_tile(") + std::to_string(idst) + ") called " +
                        (c.dst_state == DstState::Acquired ? "before tile_regs_commit()/tile_regs_wait()"
                         : c.dst_state == DstState::Committed ? "before tile_regs_wait()"
                                                              : "outside tile_regs_wait()/tile_regs_release()") +
                        ": the packer does not own the DST registers");
        }
    } else if (c.dst_state != DstState::Acquired && c.dst_state != DstState::Legacy) {
        fail(e, std::string(op_name(op)) + " writes DST[" + std::to_string(idst) +
                    "] outside tile_regs_acquire()/tile_regs_commit(): the math engine does not own the DST registers");
    }
    if (idst >= c.dst_capacity) {
        fail(e, std::string(op_name(op)) + ": DST index " + std::to_string(idst) + " is out of range: DST holds " +
                    std::to_string(c.dst_capacity) + " tiles" + (c.fp32_dest ? " with fp32_dest_acc_en" : ""));
    }
}

const std::uint8_t* tile_in(Executor* e, std::uint32_t cb, std::uint32_t tile, std::uint32_t op, CBState*& out) {
    CBState& c = cb_of(e, static_cast<std::int32_t>(cb), op_name(op));
    if (tile >= c.waited) {
        fail(e, std::string(op_name(op)) + " reads tile " + std::to_string(tile) + " of CB " + std::to_string(cb) +
                    " but cb_wait_front guaranteed only " + std::to_string(c.waited) + " pages");
    }
    out = &c;
    return e->core->l1 + c.base + ((c.rd + tile) % c.num_pages) * c.page_size;
}

void unpack(Executor* e, std::uint32_t cb, std::uint32_t tile, std::uint32_t op, float* out) {
    CBState* c = nullptr;
    const std::uint8_t* p = tile_in(e, cb, tile, op, c);
    if (!tile_math::unpack_tile(p, c->format, c->page_size, out)) {
        fail(e, std::string(op_name(op)) + ": CB " + std::to_string(cb) + " data format " +
                    std::to_string(static_cast<int>(c->format)) + " (page " + std::to_string(c->page_size) +
                    " bytes) is not supported by the mock (Float16_b, Float32, Float16 are)");
    }
}

bool compute_extended(Executor* e, std::uint32_t op, std::uint32_t a, std::uint32_t b, std::uint32_t cc,
                      std::uint32_t d, std::uint32_t ee, float f);

void api_compute(std::uint32_t op, std::uint32_t a, std::uint32_t b, std::uint32_t cc, std::uint32_t d,
                 std::uint32_t ee, float f) {
    Executor* e = cur();
    CoreState& core = *e->core;
    if (e->kernel->role != Role::Compute) fail(e, std::string(op_name(op)) + " called from a data-movement kernel");
    alignas(64) float ta[1024];
    alignas(64) float tb[1024];
    ++g_run->progress;
    switch (op) {
        case tt_mock::kOpHwStartup:
        case tt_mock::kOpBinaryInit:
        case tt_mock::kOpCopyInit:
            cb_of(e, static_cast<std::int32_t>(a), "compute init");
            if (op != tt_mock::kOpCopyInit) cb_of(e, static_cast<std::int32_t>(b), "compute init");
            if (op == tt_mock::kOpHwStartup) cb_of(e, static_cast<std::int32_t>(cc), "compute_kernel_hw_startup");
            return;
        case tt_mock::kOpMatmulInit:
            cb_of(e, static_cast<std::int32_t>(a), "matmul_init");
            cb_of(e, static_cast<std::int32_t>(b), "matmul_init");
            core.mm_transpose = cc != 0;
            return;
        case tt_mock::kOpReconfig:
            for (std::uint32_t id : {a, b, cc, d}) {
                if (id != 0xffffffffu) cb_of(e, static_cast<std::int32_t>(id), "reconfig_data_format");
            }
            return;
        case tt_mock::kOpMatmulTiles:
        case tt_mock::kOpMatmulTransposeTiles: {
            check_dst(e, op, ee, false);
            unpack(e, a, cc, op, ta);
            unpack(e, b, d, op, tb);
            const bool tr = op == tt_mock::kOpMatmulTransposeTiles ? f != 0.0f : core.mm_transpose;
            tile_math::matmul_acc(ta, tb, tr, core.dst.data() + ee * 1024);
            ++core.stats.tiles[static_cast<int>(Stat::Matmul)];
            return;
        }
        case tt_mock::kOpAddTiles:
        case tt_mock::kOpSubTiles:
        case tt_mock::kOpMulTiles: {
            check_dst(e, op, ee, false);
            unpack(e, a, cc, op, ta);
            unpack(e, b, d, op, tb);
            float* out = core.dst.data() + ee * 1024;
            if (op == tt_mock::kOpAddTiles) {
                for (int i = 0; i < 1024; ++i) out[i] = ta[i] + tb[i];
                ++core.stats.tiles[static_cast<int>(Stat::Add)];
            } else if (op == tt_mock::kOpSubTiles) {
                for (int i = 0; i < 1024; ++i) out[i] = ta[i] - tb[i];
                ++core.stats.tiles[static_cast<int>(Stat::Sub)];
            } else {
                for (int i = 0; i < 1024; ++i) out[i] = ta[i] * tb[i];
                ++core.stats.tiles[static_cast<int>(Stat::Mul)];
            }
            return;
        }
        case tt_mock::kOpCopyTile:
            check_dst(e, op, cc, false);
            unpack(e, a, b, op, core.dst.data() + cc * 1024);
            ++core.stats.tiles[static_cast<int>(Stat::Copy)];
            return;
        case tt_mock::kOpSfpuInit: return;
        case tt_mock::kOpSfpu:
            check_dst(e, op, b, false);
            if (!tile_math::sfpu(a, core.dst.data() + b * 1024, f, cc, d, ee)) fail(e, "unknown SFPU op " + std::to_string(a));
            ++core.stats.tiles[static_cast<int>(Stat::Sfpu)];
            return;
        case tt_mock::kOpPackTile: {
            check_dst(e, op, a, true);
            CBState& c = cb_of(e, static_cast<std::int32_t>(b), "pack_tile");
            const std::uint32_t slot = d ? cc : c.pack_slot;
            if (slot >= c.reserved) {
                fail(e, "pack_tile(" + std::to_string(a) + ", cb=" + std::to_string(b) + ") writes output slot " +
                            std::to_string(slot) + " but only " + std::to_string(c.reserved) +
                            " pages are reserved with cb_reserve_back");
            }
            if (!d) ++c.pack_slot;
            std::uint8_t* p = core.l1 + c.base + ((c.wr + slot) % c.num_pages) * c.page_size;
            const float* src = core.dst.data() + a * 1024;
            if (core.relu_mode != 0) {
                for (int i = 0; i < 1024; ++i) ta[i] = tile_math::pack_relu(core.relu_mode, core.relu_threshold, src[i]);
                src = ta;
            }
            if (core.pack_l1_acc) {  // packer L1 accumulation: the CB tile += DST (in fp32, rounded once)
                if (!tile_math::unpack_tile(p, c.format, c.page_size, tb)) {
                    fail(e, "pack_tile: CB " + std::to_string(b) + " data format is not supported by the mock");
                }
                for (int i = 0; i < 1024; ++i) tb[i] += src[i];
                src = tb;
            }
            if (!tile_math::pack_tile(src, c.format, c.page_size, p)) {
                fail(e, "pack_tile: CB " + std::to_string(b) + " data format " +
                            std::to_string(static_cast<int>(c.format)) + " is not supported by the mock");
            }
            ++core.stats.tiles[static_cast<int>(Stat::Pack)];
            return;
        }
        case tt_mock::kOpPackRelu: {
            if (a > 3) fail(e, "pack_relu_config: unknown ReluType " + std::to_string(a));
            core.relu_mode = a;
            const std::uint32_t bits = b << 16;
            std::memcpy(&core.relu_threshold, &bits, sizeof bits);
            return;
        }
        case tt_mock::kOpRegsAcquire:
            if (core.dst_state != DstState::Idle) {
                fail(e, "tile_regs_acquire() called while the DST registers are still held (missing "
                        "tile_regs_commit/tile_regs_wait/tile_regs_release)");
            }
            std::fill(core.dst.begin(), core.dst.end(), 0.0f);
            core.dst_reduced = 0;
            core.dst_state = a == 1 ? DstState::Legacy : DstState::Acquired;
            return;
        case tt_mock::kOpRegsCommit:
            if (core.dst_state != DstState::Acquired) fail(e, "tile_regs_commit() without a preceding tile_regs_acquire()");
            core.dst_state = DstState::Committed;
            return;
        case tt_mock::kOpRegsWait:
            if (core.dst_state != DstState::Committed) fail(e, "tile_regs_wait() without a preceding tile_regs_commit()");
            core.dst_state = DstState::Waited;
            return;
        case tt_mock::kOpRegsRelease:
            if (core.dst_state != DstState::Waited && core.dst_state != DstState::Legacy) {
                fail(e, "tile_regs_release() without a preceding tile_regs_wait()");
            }
            core.dst_state = DstState::Idle;
            return;
        default:
            if (compute_extended(e, op, a, b, cc, d, ee, f)) return;
            fail(e, "unknown compute op " + std::to_string(op));
    }
}

// ---- compute: reduce, broadcast, transpose, reuse-dest, binary SFPU, tilize/untilize ---------------------
// (the ops of api/compute/{reduce,bcast,transpose,tilize,untilize,pack_untilize,eltwise_binary_sfpu}.h)
std::uint8_t* cb_page(Executor* e, CBState& c, std::uint32_t slot_from, std::uint32_t page) {
    return e->core->l1 + c.base + ((slot_from + page) % c.num_pages) * c.page_size;
}

// Element (row, col) of a row-major block of `pages` CB pages starting at slot `from`, `width` elements a row.
std::uint8_t* rm_elem(Executor* e, CBState& c, std::uint32_t from, std::uint32_t width, std::uint32_t row,
                      std::uint32_t col, std::uint32_t bytes) {
    const std::uint64_t off = (static_cast<std::uint64_t>(row) * width + col) * bytes;
    return cb_page(e, c, from, static_cast<std::uint32_t>(off / c.page_size)) + off % c.page_size;
}

std::uint32_t rm_bytes(Executor* e, CBState& c, std::uint32_t cb, const char* call) {
    const std::uint32_t bytes = tile_math::datum_bytes(c.format);
    if (bytes == 0) {
        fail(e, std::string(call) + ": CB " + std::to_string(cb) + " data format " +
                    std::to_string(static_cast<int>(c.format)) + " is not supported by the mock (Float16_b, Float32, "
                    "Float16 are)");
    }
    return bytes;
}

bool compute_extended(Executor* e, std::uint32_t op, std::uint32_t a, std::uint32_t b, std::uint32_t cc,
                      std::uint32_t d, std::uint32_t ee, float f) {
    CoreState& core = *e->core;
    alignas(64) float ta[1024];
    alignas(64) float tb[1024];
    const auto code = static_cast<std::uint32_t>(f);
    switch (op) {
        case tt_mock::kOpReduceTile: {
            check_dst(e, tt_mock::kOpSfpu, ee, false);
            unpack(e, a, cc, op, ta);
            unpack(e, b, d, op, tb);
            const bool fresh = (core.dst_reduced & (1u << ee)) == 0;
            if (!tile_math::reduce(code >> 4, code & 15, ta, tb, core.dst.data() + ee * 1024, fresh)) {
                fail(e, "reduce_tile: unsupported PoolType " + std::to_string(code >> 4) + " / ReduceDim " +
                            std::to_string(code & 15) + " (the FPU reduces SUM, AVG and MAX)");
            }
            core.dst_reduced |= 1u << ee;
            ++core.stats.tiles[static_cast<int>(Stat::Sfpu)];
            return true;
        }
        case tt_mock::kOpBcastTiles: {
            check_dst(e, op, ee, false);
            unpack(e, a, cc, op, ta);
            unpack(e, b, d, op, tb);
            alignas(64) float bb[1024];
            if (!tile_math::bcast_operand(code & 15, tb, bb)) fail(e, "unknown BroadcastType " + std::to_string(code & 15));
            float* out = core.dst.data() + ee * 1024;
            for (int i = 0; i < 1024; ++i) {
                if (!tile_math::binary_op(code >> 4, ta[i], bb[i], out[i])) {
                    fail(e, "*_tiles_bcast: unsupported EltwiseBinaryType " + std::to_string(code >> 4));
                }
            }
            ++core.stats.tiles[static_cast<int>(Stat::Add)];
            return true;
        }
        case tt_mock::kOpUnaryBcast:
            check_dst(e, op, cc, false);
            unpack(e, a, b, op, ta);
            if (!tile_math::bcast_operand(d, ta, core.dst.data() + cc * 1024)) {
                fail(e, "unary_bcast: unknown BroadcastType " + std::to_string(d));
            }
            ++core.stats.tiles[static_cast<int>(Stat::Copy)];
            return true;
        case tt_mock::kOpTransposeTile:
            check_dst(e, op, cc, false);
            unpack(e, a, b, op, ta);
            tile_math::transpose(ta, core.dst.data() + cc * 1024);
            ++core.stats.tiles[static_cast<int>(Stat::Copy)];
            return true;
        case tt_mock::kOpReuseDestTiles: {
            check_dst(e, op, cc, false);
            unpack(e, a, b, op, ta);
            float* out = core.dst.data() + cc * 1024;
            for (int i = 0; i < 1024; ++i) {
                // DEST_TO_SRCA: DST is operand A; DEST_TO_SRCB: DST is operand B
                const float x = ee == 1 ? out[i] : ta[i], y = ee == 1 ? ta[i] : out[i];
                if (ee != 1 && ee != 2) fail(e, "binary_reuse_dest_tiles: EltwiseBinaryReuseDestType NONE reuses nothing");
                if (!tile_math::binary_op(d, x, y, out[i])) fail(e, "binary_reuse_dest_tiles: unsupported op " + std::to_string(d));
            }
            ++core.stats.tiles[static_cast<int>(Stat::Add)];
            return true;
        }
        case tt_mock::kOpSfpuBinary:
            check_dst(e, tt_mock::kOpSfpu, b, false);
            check_dst(e, tt_mock::kOpSfpu, cc, false);
            check_dst(e, tt_mock::kOpSfpu, d, false);
            if (!tile_math::sfpu_binary(a, core.dst.data() + b * 1024, core.dst.data() + cc * 1024,
                                        core.dst.data() + d * 1024)) {
                fail(e, "unknown binary SFPU op " + std::to_string(a));
            }
            ++core.stats.tiles[static_cast<int>(Stat::Sfpu)];
            return true;
        case tt_mock::kOpSfpuTernary:
            for (std::uint32_t idx : {b, cc, d, ee}) check_dst(e, tt_mock::kOpSfpu, idx, false);
            if (!tile_math::sfpu_ternary(a, core.dst.data() + b * 1024, core.dst.data() + cc * 1024,
                                         core.dst.data() + d * 1024, core.dst.data() + ee * 1024)) {
                fail(e, "unknown ternary SFPU op " + std::to_string(a));
            }
            ++core.stats.tiles[static_cast<int>(Stat::Sfpu)];
            return true;
        case tt_mock::kOpPackL1Acc:
            core.pack_l1_acc = a != 0;
            return true;
        case tt_mock::kOpCopyDest:
            check_dst(e, tt_mock::kOpSfpu, a, false);
            check_dst(e, tt_mock::kOpSfpu, b, false);
            std::memcpy(core.dst.data() + b * 1024, core.dst.data() + a * 1024, 1024 * sizeof(float));
            return true;
        case tt_mock::kOpTilizeBlock: {
            // `b` tiles: `b` pages of icb from page d hold 32 rows of b*32 elements, row-major; they go to
            // ocb's reserved slots ee, ee+1, ...
            CBState& in = cb_of(e, static_cast<std::int32_t>(a), "tilize_block");
            if (d + b > in.waited) {
                fail(e, "tilize_block reads pages " + std::to_string(d) + ".." + std::to_string(d + b - 1) + " of CB " +
                            std::to_string(a) + " but cb_wait_front guaranteed only " + std::to_string(in.waited));
            }
            CBState& out = cb_of(e, static_cast<std::int32_t>(cc), "tilize_block");
            if (ee + b > out.reserved) {
                fail(e, "tilize_block writes output slots " + std::to_string(ee) + ".." + std::to_string(ee + b - 1) +
                            " of CB " + std::to_string(cc) + " but only " + std::to_string(out.reserved) +
                            " pages are reserved with cb_reserve_back");
            }
            const std::uint32_t bytes = rm_bytes(e, in, a, "tilize_block");
            for (std::uint32_t t = 0; t < b; ++t) {
                for (std::uint32_t r = 0; r < 32; ++r)
                    for (std::uint32_t col = 0; col < 32; ++col)
                        ta[r * 32 + col] = tile_math::load_datum(rm_elem(e, in, in.rd + d, b * 32, r, t * 32 + col, bytes), in.format);
                if (!tile_math::pack_tile(ta, out.format, out.page_size, cb_page(e, out, out.wr, ee + t))) {
                    fail(e, "tilize_block: CB " + std::to_string(cc) + " data format is not supported by the mock");
                }
                ++core.stats.tiles[static_cast<int>(Stat::Pack)];
            }
            return true;
        }
        case tt_mock::kOpUntilizeBlock:
        case tt_mock::kOpPackUntilizeDest: {
            // rows x block_ct tiles (from icb's front, or DST) -> row-major rows of full_ct tiles in ocb
            const bool from_dst = op == tt_mock::kOpPackUntilizeDest;
            const std::uint32_t ocb = from_dst ? a : cc, rows = b;
            const std::uint32_t block_ct = from_dst ? cc : d, full_ct = from_dst ? d : ee;
            const std::uint32_t c_index = from_dst ? ee : code;
            const char* call = from_dst ? "pack_untilize_dest" : "pack_untilize_block";
            if (block_ct == 0 || full_ct < block_ct * (c_index + 1)) {
                fail(e, std::string(call) + ": block_ct_dim " + std::to_string(block_ct) + " x block " +
                            std::to_string(c_index) + " does not fit full_ct_dim " + std::to_string(full_ct));
            }
            CBState* in = nullptr;
            if (!from_dst) {
                in = &cb_of(e, static_cast<std::int32_t>(a), call);
                if (rows * block_ct > in->waited) {
                    fail(e, std::string(call) + " reads " + std::to_string(rows * block_ct) + " tiles of CB " +
                                std::to_string(a) + " but cb_wait_front guaranteed only " + std::to_string(in->waited));
                }
            } else if (core.dst_state != DstState::Waited && core.dst_state != DstState::Legacy) {
                fail(e, "pack_untilize_dest called outside tile_regs_wait()/tile_regs_release(): the packer does not "
                        "own the DST registers");
            }
            CBState& out = cb_of(e, static_cast<std::int32_t>(ocb), call);
            const std::uint32_t pages = rows * full_ct;
            if (pages > out.reserved) {
                fail(e, std::string(call) + " writes " + std::to_string(pages) + " pages of CB " + std::to_string(ocb) +
                            " but only " + std::to_string(out.reserved) + " are reserved with cb_reserve_back");
            }
            const std::uint32_t bytes = rm_bytes(e, out, ocb, call);
            for (std::uint32_t rt = 0; rt < rows; ++rt) {
                for (std::uint32_t ct = 0; ct < block_ct; ++ct) {
                    const std::uint32_t t = rt * block_ct + ct;
                    const float* tile = ta;
                    if (from_dst) {
                        if (t >= core.dst_capacity) fail(e, "pack_untilize_dest: DST index " + std::to_string(t) + " out of range");
                        tile = core.dst.data() + t * 1024;
                    } else {
                        unpack(e, a, t, tt_mock::kOpPackTile, ta);
                    }
                    const std::uint32_t col0 = (c_index * block_ct + ct) * 32;
                    for (std::uint32_t r = 0; r < 32; ++r)
                        for (std::uint32_t col = 0; col < 32; ++col)
                            tile_math::store_datum(tile[r * 32 + col], out.format,
                                                   rm_elem(e, out, out.wr, full_ct * 32, rt * 32 + r, col0 + col, bytes));
                    ++core.stats.tiles[static_cast<int>(Stat::Pack)];
                }
            }
            return true;
        }
        default: return false;
    }
}

const tt_mock::KernelApi kApi = {
    tt_mock::kKernelAbiVersion,
    &api_arg_addr,
    &api_common_arg_addr,
    &api_cb_reserve_back,
    &api_cb_push_back,
    &api_cb_wait_front,
    &api_cb_pop_front,
    &api_cb_pages_reservable_at_back,
    &api_cb_pages_available_at_front,
    &api_get_write_ptr,
    &api_get_read_ptr,
    &api_cb_page_size,
    &api_cb_num_pages,
    &api_noc_read,
    &api_noc_write,
    &api_noc_read_barrier,
    &api_noc_write_barrier,
    &api_noc_writes_flushed,
    &api_local_noc_addr,
    &api_my_noc_xy,
    &api_my_logical_xy,
    &api_semaphore_addr,
    &api_yield_hint,
    &api_compute,
    &api_fail,
};

// ---- kernel loading -----------------------------------------------------------------------------------
LoadedKernel* load_kernel(const std::string& so_path, const KernelSpec& k) {
    static std::mutex mu;
    static std::map<std::string, std::unique_ptr<LoadedKernel>> loaded;
    std::lock_guard<std::mutex> lock(mu);
    auto it = loaded.find(so_path);
    if (it != loaded.end()) return it->second.get();
    void* h = dlopen(so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) throw_error("cannot load compiled kernel '" + k.path + "' (" + so_path + "): " + dlerror());
    using BindFn = int (*)(const tt_mock::KernelApi*);
    auto bind = reinterpret_cast<BindFn>(dlsym(h, "tt_mock_kernel_bind"));
    auto run = reinterpret_cast<void (*)()>(dlsym(h, "tt_mock_kernel_run"));
    if (!bind || !run || bind(&kApi) != 0) {
        throw_error("compiled kernel '" + k.path + "' (" + so_path + ") does not match this mock runtime (ABI " +
                    std::to_string(tt_mock::kKernelAbiVersion) + "); delete the kernel cache");
    }
    auto lk = std::make_unique<LoadedKernel>();
    lk->bind = bind;
    lk->run = run;
    LoadedKernel* out = lk.get();
    loaded[so_path] = std::move(lk);
    return out;
}

// ---- fibers -------------------------------------------------------------------------------------------------
std::size_t stack_bytes() {
    static const std::size_t n = [] {
        const std::string v = env_str("TT_MOCK_STACK_KB");
        return static_cast<std::size_t>(v.empty() ? 512 : std::max(64, std::atoi(v.c_str()))) * 1024;
    }();
    return n;
}

std::vector<void*>& stack_pool() {
    static std::vector<void*> pool;
    return pool;
}

void* take_stack() {
    auto& pool = stack_pool();
    if (!pool.empty()) {
        void* s = pool.back();
        pool.pop_back();
        return s;
    }
    void* p = mmap(nullptr, stack_bytes() + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) throw_error("cannot allocate an executor stack");
    mprotect(p, 4096, PROT_NONE);  // guard page
    return p;
}

void fiber_main() {
    Executor* e = g_cur;
    e->state = ExecState::Running;
    try {
        e->so->bind(&kApi);  // the kernel's call table is per thread: point it at this runtime
        e->so->run();
    } catch (const std::exception& ex) {
        fail(e, std::string("the kernel threw a C++ exception: ") + ex.what());
    } catch (...) {
        fail(e, "the kernel threw a C++ exception");
    }
    e->state = ExecState::Done;
    ++g_run->progress;
    swapcontext(&e->ctx, &g_run->sched);
}

bool satisfied(const Executor& e) {
    const CBState& c = e.core->cb[e.wait_cb];
    if (e.wait == WaitKind::Front) return c.avail >= static_cast<std::uint32_t>(e.wait_n);
    if (e.wait == WaitKind::Back) return c.num_pages - c.avail >= static_cast<std::uint32_t>(e.wait_n);
    return true;
}

std::string blocked_description(const Executor& e) {
    if (e.state == ExecState::Poll) return "polling (noc_semaphore_wait or cb_pages_*_at_* loop) without progress";
    if (e.state == ExecState::Ready) return "not started";
    const CBState& c = e.core->cb[e.wait_cb];
    if (e.wait == WaitKind::Front) {
        return "blocked in cb_wait_front(cb=" + std::to_string(e.wait_cb) + ", " + std::to_string(e.wait_n) +
               " pages): " + cb_status(c);
    }
    return "blocked in cb_reserve_back(cb=" + std::to_string(e.wait_cb) + ", " + std::to_string(e.wait_n) +
           " pages): " + cb_status(c) + "; no consumer frees pages";
}

// ---- stats -------------------------------------------------------------------------------------------------
void emit_stats(DeviceState& dev, const Run& run) {
    const std::string target = env_str("TT_MOCK_STATS");
    if (target.empty()) return;
    CoreStats total;
    auto add = [](CoreStats& t, const CoreStats& s) {
        t.noc_read_bytes += s.noc_read_bytes;
        t.noc_write_bytes += s.noc_write_bytes;
        t.noc_reads += s.noc_reads;
        t.noc_writes += s.noc_writes;
        for (int i = 0; i < static_cast<int>(Stat::Count); ++i) t.tiles[i] += s.tiles[i];
        t.stalls_wait_front += s.stalls_wait_front;
        t.stalls_reserve_back += s.stalls_reserve_back;
    };
    auto json = [](const CoreStats& s) {
        std::ostringstream o;
        o << "\"noc_read_bytes\": " << s.noc_read_bytes << ", \"noc_write_bytes\": " << s.noc_write_bytes
          << ", \"noc_reads\": " << s.noc_reads << ", \"noc_writes\": " << s.noc_writes << ", \"tiles\": {";
        for (int i = 0; i < static_cast<int>(Stat::Count); ++i) {
            o << (i ? ", " : "") << "\"" << kStatNames[i] << "\": " << s.tiles[i];
        }
        o << "}, \"cb_stalls\": {\"wait_front\": " << s.stalls_wait_front
          << ", \"reserve_back\": " << s.stalls_reserve_back << "}";
        return o.str();
    };
    std::ostringstream w;
    w << "{\"workload\": " << dev.workloads_run << ", \"cores\": [";
    bool first = true;
    for (const auto& c : run.cores) {
        add(total, c->stats);
        w << (first ? "\n  " : ",\n  ") << "{\"core\": [" << c->logical.x << ", " << c->logical.y << "], "
          << json(c->stats) << "}";
        first = false;
    }
    w << "],\n \"totals\": {\"cores\": " << run.cores.size() << ", " << json(total) << "}}";
    if (target == "-") {
        std::fprintf(stderr, "TT-Metalium mock stats, workload %llu\n", static_cast<unsigned long long>(dev.workloads_run));
        std::fprintf(stderr, "%-8s %12s %12s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "core", "noc_rd_B", "noc_wr_B",
                     "matmul", "add", "sub", "mul", "copy", "pack", "sfpu", "st_wait", "st_resv");
        auto row = [](const std::string& name, const CoreStats& s) {
            std::fprintf(stderr, "%-8s %12llu %12llu", name.c_str(), static_cast<unsigned long long>(s.noc_read_bytes),
                         static_cast<unsigned long long>(s.noc_write_bytes));
            for (int i = 0; i < static_cast<int>(Stat::Count); ++i) {
                std::fprintf(stderr, " %8llu", static_cast<unsigned long long>(s.tiles[i]));
            }
            std::fprintf(stderr, " %8llu %8llu\n", static_cast<unsigned long long>(s.stalls_wait_front),
                         static_cast<unsigned long long>(s.stalls_reserve_back));
        };
        for (const auto& c : run.cores) {
            row("(" + std::to_string(c->logical.x) + "," + std::to_string(c->logical.y) + ")", c->stats);
        }
        row("total", total);
        return;
    }
    if (!dev.stats_json_entries.empty()) dev.stats_json_entries += ",\n";
    dev.stats_json_entries += w.str();
    const std::string doc = "{\"schema\": \"tt-build-mock-stats/1\", \"workloads\": [\n" + dev.stats_json_entries + "\n]}\n";
    const std::string tmp = target + ".tmp." + std::to_string(getpid());
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << doc;
        if (!f) throw_error("cannot write TT_MOCK_STATS file " + target);
    }
    if (std::rename(tmp.c_str(), target.c_str()) != 0) throw_error("cannot write TT_MOCK_STATS file " + target);
}

// Aborts the process if a kernel computes forever without calling the device API (cannot be preempted).
class Watchdog {
public:
    Watchdog() {
        const std::string v = env_str("TT_MOCK_TIMEOUT");
        const int secs = v.empty() ? 600 : std::atoi(v.c_str());
        if (secs <= 0) return;
        thread_ = std::thread([this, secs] {
            std::unique_lock<std::mutex> lock(mu_);
            if (!cv_.wait_for(lock, std::chrono::seconds(secs), [this] { return done_; })) {
                std::fprintf(stderr,
                             "TT-Metalium mock: a kernel ran for more than %d s without finishing (TT_MOCK_TIMEOUT); "
                             "aborting\n",
                             secs);
                std::fflush(stderr);
                std::_Exit(124);
            }
        });
    }
    ~Watchdog() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard<std::mutex> lock(mu_);
            done_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread thread_;
};

// After every executor finished: a CB that still holds pushed pages was fed more than it was drained.
// On the device its pages and counters outlive the program (the next program reads stale pages or
// waits forever), so it is an error, one line per CB.
void check_cbs_drained(const Run& run) {
    std::string msg;
    int listed = 0, more = 0;
    for (const auto& core : run.cores) {
        for (std::uint32_t id = 0; id < kNumCBs; ++id) {
            const CBState& c = core->cb[id];
            if (!c.configured || c.avail == 0) continue;
            if (listed >= 24) {
                ++more;
                continue;
            }
            msg += "\n  core (" + std::to_string(core->logical.x) + "," + std::to_string(core->logical.y) + ") CB " +
                   std::to_string(id) + ": " + std::to_string(c.avail) + " of " + std::to_string(c.num_pages) +
                   " pages filled: " + std::to_string(c.pushed) + " pushed by " + kernels_of(run, *core, c.producers) +
                   ", " + std::to_string(c.popped) + " popped" +
                   (c.consumers ? " by " + kernels_of(run, *core, c.consumers)
                                : " (no kernel pops CB " + std::to_string(id) + ")");
            ++listed;
        }
    }
    if (listed == 0) return;
    if (more) msg += "\n  ... and " + std::to_string(more) + " more circular buffers";
    throw_error("circular buffers still hold pages when the program ends: every page pushed with cb_push_back "
                "must be popped with cb_pop_front (on the device the next program would read them as stale "
                "pages or wait forever)" + msg);
}

}  // namespace

void run_program(DeviceState& dev, ProgramState& program) {
    Run run;
    run.dev = &dev;
    run.prog = &program;
    const std::string limit = env_str("TT_MOCK_STEP_LIMIT");
    run.step_limit = limit.empty() ? 2000000000ull : std::strtoull(limit.c_str(), nullptr, 10);

    // cores used by the program, row-major
    std::vector<CoreCoord> used;
    for (const auto& k : program.kernels) used.insert(used.end(), k.cores.begin(), k.cores.end());
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    const tt_mock::ArchGeometry& geo = dev.arch->geo;
    run.arena = std::make_unique<L1Arena>(used.size(), geo.l1_size);
    for (const auto& c : used) {
        if (c.x >= geo.grid_x || c.y >= geo.grid_y) {
            throw_error("core " + c.str() + " is outside the " + dev.arch->grid() + " " + dev.arch->title +
                        " compute grid");
        }
        auto cs = std::make_unique<CoreState>();
        cs->logical = c;
        cs->index = static_cast<std::uint32_t>(c.y * geo.grid_x + c.x);
        cs->slot = run.cores.size();
        cs->l1 = run.arena->core(cs->slot);
        cs->l1_addr = static_cast<std::uint32_t>(reinterpret_cast<std::uint64_t>(cs->l1));
        // circular buffers: allocated upwards from the end of the firmware reserve, in creation order
        std::uint32_t cursor = kL1Reserved;
        for (const auto& cb : program.cbs) {
            if (std::find(cb.cores.begin(), cb.cores.end(), c) == cb.cores.end()) continue;
            for (const auto& [idx, fmt] : cb.formats) {
                CBState& s = cs->cb[idx];
                s.configured = true;
                s.base = cursor;
                s.page_size = cb.page_sizes.at(idx);
                s.num_pages = cb.total_size / s.page_size;
                s.format = fmt;
            }
            cursor += (cb.total_size + 15) / 16 * 16;
        }
        if (cursor > dev.l1_buffer_low) {
            throw_error("circular buffers on core " + c.str() + " end at L1 offset " + hex(cursor) +
                        ", overlapping L1 buffers that start at " + hex(dev.l1_buffer_low));
        }
        for (const auto& s : program.semaphores) {
            if (std::find(s.cores.begin(), s.cores.end(), c) == s.cores.end()) continue;
            std::memcpy(cs->l1 + kL1SemBase + s.id * 16, &s.initial_value, 4);
        }
        run.core_by_index[cs->index] = cs.get();
        run.cores.push_back(std::move(cs));
    }

    // compile / load kernels
    std::vector<KernelBuildRequest> reqs;
    for (const auto& k : program.kernels) {
        KernelBuildRequest r;
        r.kernel = &k;
        r.arch = dev.arch;
        r.cb_formats.fill(0xff);
        r.cb_tile_sizes.fill(0);
        if (!k.cores.empty()) {
            const CoreState* cs = run.core_by_index[k.cores.front().y * geo.grid_x + k.cores.front().x];
            for (std::uint32_t i = 0; i < kNumCBs; ++i) {
                if (!cs->cb[i].configured) continue;
                r.cb_formats[i] = static_cast<std::uint8_t>(cs->cb[i].format);
                r.cb_tile_sizes[i] = tt::tile_size(cs->cb[i].format);
            }
        }
        reqs.push_back(r);
    }
    const std::vector<std::string> so_paths = build_kernels(reqs);

    // executors: cores row-major, then RISCV_0, RISCV_1, compute
    for (const auto& cs : run.cores) {
        for (Role role : {Role::Riscv0, Role::Riscv1, Role::Compute}) {
            for (std::size_t ki = 0; ki < program.kernels.size(); ++ki) {
                const KernelSpec& k = program.kernels[ki];
                if (k.role != role || std::find(k.cores.begin(), k.cores.end(), cs->logical) == k.cores.end()) continue;
                auto e = std::make_unique<Executor>();
                e->core = cs.get();
                e->kernel = &k;
                e->so = load_kernel(so_paths[ki], k);
                const std::uint32_t region = kL1ArgBase + static_cast<std::uint32_t>(role) * kL1ArgStride;
                auto it = k.rt_args.find(cs->logical);
                if (it != k.rt_args.end()) {
                    e->arg_count = static_cast<std::uint32_t>(it->second.size());
                    std::memcpy(cs->l1 + region, it->second.data(), it->second.size() * 4);
                }
                e->arg_off = region;
                e->common_off = region + 0x800;
                e->common_count = static_cast<std::uint32_t>(k.common_args.size());
                std::memcpy(cs->l1 + region + 0x800, k.common_args.data(), k.common_args.size() * 4);
                if (role == Role::Compute) {
                    cs->fp32_dest = k.fp32_dest_acc_en;
                    cs->dst_capacity = k.fp32_dest_acc_en ? 8 : 16;
                    cs->dst.assign(16 * 1024, 0.0f);
                }
                run.execs.push_back(std::move(e));
            }
        }
    }

    struct StackReturn {
        Run& run;
        ~StackReturn() {
            for (auto& e : run.execs) {
                if (e->stack) stack_pool().push_back(e->stack);
            }
        }
    } stack_return{run};
    for (auto& e : run.execs) {
        e->stack = take_stack();
        getcontext(&e->ctx);
        e->ctx.uc_stack.ss_sp = static_cast<char*>(e->stack) + 4096;
        e->ctx.uc_stack.ss_size = stack_bytes();
        e->ctx.uc_link = nullptr;
        makecontext(&e->ctx, &fiber_main, 0);
    }

    Watchdog watchdog;
    Run* prev_run = g_run;
    Executor* prev_cur = g_cur;
    g_run = &run;
    struct Restore {
        Run* r;
        Executor* c;
        ~Restore() {
            g_run = r;
            g_cur = c;
        }
    } restore{prev_run, prev_cur};

    for (;;) {
        bool alive = false, progressed = false;
        for (auto& e : run.execs) {
            if (e->state == ExecState::Done) continue;
            alive = true;
            if (e->state == ExecState::Blocked && !satisfied(*e)) continue;
            const std::uint64_t before = run.progress;
            const bool was_poll = e->state == ExecState::Poll;
            g_cur = e.get();
            swapcontext(&run.sched, &e->ctx);
            g_cur = nullptr;
            if (e->state == ExecState::Failed) throw_error(e->error);
            if (!was_poll || run.progress != before || e->state == ExecState::Done) progressed = true;
        }
        if (!alive) break;
        if (!progressed) {
            std::string msg = "deadlock: every unfinished executor is blocked";
            int listed = 0, more = 0;
            for (const auto& e : run.execs) {
                if (e->state == ExecState::Done) continue;
                if (listed >= 24) {
                    ++more;
                    continue;
                }
                msg += "\n  " + where(*e) + ": " + blocked_description(*e);
                ++listed;
            }
            if (more) msg += "\n  ... and " + std::to_string(more) + " more blocked executors";
            throw_error(msg);
        }
    }
    check_cbs_drained(run);
    ++dev.workloads_run;
    emit_stats(dev, run);
}

}  // namespace tt::tt_metal::tt_mock_impl
