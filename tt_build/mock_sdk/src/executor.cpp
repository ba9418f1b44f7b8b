// tt-build mock SDK runtime: running a program's kernels on CPU executors, with protocol checks.
//
// Every (core, processor) pair is an executor: a ucontext fiber with its own stack. One host thread
// runs them cooperatively: an executor runs until it blocks (cb_wait_front / cb_reserve_back that
// cannot be satisfied, a polling loop) or finishes; the scheduler then resumes the next runnable
// executor in a fixed order (cores in row-major order, then RISCV_0, RISCV_1, compute). The schedule
// is therefore fully deterministic, and "no executor can run" is detected exactly (deadlock).
#include <dlfcn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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

#include "fault_report.hpp"
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
        // a memory file, so that the running core's L1 can also be mapped at its plain L1 addresses
        fd_ = static_cast<int>(syscall(SYS_memfd_create, "tt-mock-l1", 0u));
        if (fd_ >= 0 && ftruncate(fd_, static_cast<off_t>(bytes_)) != 0) {
            close(fd_);
            fd_ = -1;
        }
        constexpr std::uint64_t kLow = 0x10000000ull, kTop = 1ull << 32, kStep = 0x1000000ull;
        for (std::uint64_t hint = kLow; hint + bytes_ <= kTop; hint += kStep) {
            void* p = fd_ >= 0 ? mmap(reinterpret_cast<void*>(hint), bytes_, PROT_READ | PROT_WRITE,
                                      MAP_SHARED | MAP_NORESERVE | MAP_FIXED_NOREPLACE, fd_, 0)
                               : mmap(reinterpret_cast<void*>(hint), bytes_, PROT_READ | PROT_WRITE,
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
        if (window_ != nullptr) munmap(window_, stride_ - kWindowLow);
        if (base_ != nullptr) munmap(base_, bytes_);
        if (fd_ >= 0) close(fd_);
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

    // Maps the L1 of the core in `slot` a second time at its plain L1 addresses [kWindowLow, L1 size),
    // so that a kernel can dereference an L1 address it was given (an L1 buffer's address) as on the
    // device. Only one core's L1 is there at a time: the scheduler shows the running core's. Returns
    // false when the window cannot be mapped (the low addresses are taken).
    bool show(std::size_t slot) {
        if (fd_ < 0 || base_ == nullptr) return false;
        if (window_ != nullptr && shown_ == slot) return true;
        const std::size_t len = stride_ - kWindowLow;
        const int flags = MAP_SHARED | MAP_NORESERVE | (window_ != nullptr ? MAP_FIXED : MAP_FIXED_NOREPLACE);
        void* p = mmap(reinterpret_cast<void*>(kWindowLow), len, PROT_READ | PROT_WRITE, flags, fd_,
                       static_cast<off_t>(slot * stride_ + kWindowLow));
        if (p == MAP_FAILED || p != reinterpret_cast<void*>(kWindowLow)) {
            if (p != MAP_FAILED) munmap(p, len);
            return false;
        }
        window_ = p;
        shown_ = slot;
        return true;
    }

    static constexpr std::uint32_t kWindowLow = 0x10000;  // the lowest address a process may map

private:
    std::uint8_t* base_ = nullptr;
    std::uint32_t stride_;
    std::size_t bytes_;
    int fd_ = -1;
    void* window_ = nullptr;
    std::size_t shown_ = 0;
};

enum class Stat : int { Matmul, Add, Sub, Mul, Copy, Pack, Sfpu, Count };
const char* const kStatNames[] = {"matmul", "add", "sub", "mul", "copy", "pack", "sfpu"};

// Math fidelities as MathFidelity numbers them (LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4).
inline constexpr int kNumFidelities = 5;
const char* const kFidelityNames[kNumFidelities] = {"LoFi", "", "HiFi2", "HiFi3", "HiFi4"};

enum class SemOp : int { Set, Inc, SetMulticast, IncMulticast, SetRemote, Wait, Count };
const char* const kSemOpNames[] = {"set", "inc", "set_multicast", "inc_multicast", "set_remote", "wait"};

struct CoreStats {
    // every byte this core's NOC requests moved (reads in, writes out; a multicast once)
    std::uint64_t noc_read_bytes = 0, noc_write_bytes = 0, noc_reads = 0, noc_writes = 0;
    // ... split by where they went
    std::uint64_t dram_read_bytes = 0, dram_write_bytes = 0;      // DRAM banks
    std::uint64_t l1_read_bytes = 0, l1_write_bytes = 0;          // unicast from / to a Tensix core's L1
    std::uint64_t mcast_write_bytes = 0, mcast_writes = 0;        // multicast data, counted once at the sender
    std::uint64_t mcast_dest_bytes = 0;                           // multicast bytes times the cores they reached
    std::uint64_t sem_ops[static_cast<int>(SemOp::Count)] = {};
    std::uint64_t tiles[static_cast<int>(Stat::Count)] = {};
    std::uint64_t fidelity_tiles[kNumFidelities][static_cast<int>(Stat::Count)] = {};  // FPU ops by math fidelity
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
    std::vector<double> ready, freed;                 // device-time model: cycle each slot was pushed / popped
};

// The DST handshake of the three TRISCs: the math thread acquires and commits, the pack thread waits
// and releases. PackWaiting: the pack thread has called tile_regs_wait() before the math thread's
// tile_regs_commit() in program order; on the device it blocks there, so its calls up to the commit
// (packs, pack configuration, cb_push_back) are deferred and run when the math thread commits.
enum class DstState { Idle, Acquired, Committed, Waited, Legacy, PackWaiting };

struct DeferredPackCall {  // a pack-thread call made while DstState::PackWaiting
    std::uint32_t op, a, b, c, d, e;
    float f;
};

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
    std::map<std::uint32_t, double> sem_time;  // device-time model: latest cycle each semaphore word changed
    bool pack_l1_acc = false;       // pack_reconfig_l1_acc(1): pack_tile adds to the CB tile it overwrites
    std::vector<DeferredPackCall> deferred_pack;  // pack-thread calls waiting for tile_regs_commit()
};

enum class ExecState { Ready, Running, Blocked, Poll, Done, Failed };
enum class WaitKind { None, Front, Back, Sem };

struct Range {
    std::uint32_t core, begin, end;
    double left = 0;  // a pending write: when (device-time model) its bytes have left the source L1
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
    fault_report::Running fault;  // what a crash of this executor reports (core, kernel, stack guard)
    ExecState state = ExecState::Ready;
    WaitKind wait = WaitKind::None;
    std::int32_t wait_cb = 0, wait_n = 0;
    const volatile std::uint32_t* wait_sem = nullptr;  // WaitKind::Sem: the word, the value, == or >=
    std::uint32_t wait_sem_off = 0, wait_val = 0;
    bool wait_min = false;
    std::uint32_t arg_count = 0, common_count = 0;
    std::uint32_t arg_off = 0, common_off = 0;
    std::vector<Range> pending_reads, pending_writes;
    std::string error;
    // device-time model (cycles): a data-movement RISC's clock; the compute kernel's unpack, math and
    // pack threads; completion of outstanding NOC reads, writes and atomics
    double t = 0, unpack = 0, math = 0, math_begin = 0, pack = 0, commit = 0, release[2] = {0, 0};
    int dst_half = 0;
    double reads_done = 0, writes_done = 0, atomics_done = 0, last_arrival = 0;
    double writes_departed = 0;  // the latest cycle an issued write's bytes left this core's L1 (its port)
    // this processor's CB interface records (get_local_cb_interface) and what the runtime last wrote
    // into them: a difference is a pointer the kernel assigned
    LocalCBInterface cbi[tt_mock::kMaxCBs] = {}, cbi_seen[tt_mock::kMaxCBs] = {};
    bool cbi_used[tt_mock::kMaxCBs] = {};
    double finish() const { return std::max({t, unpack, math, pack, writes_done, atomics_done}); }
};

// ---- device-time model (an estimate) ------------------------------------------------------------------------
// A shared bandwidth resource: a calendar of fixed-length buckets, each holding rate * length bytes.
// A transfer fills the buckets from its start cycle on, so concurrent transfers share the bandwidth
// and the bytes moved per cycle never exceed the rate, whatever order the executors run in.
class Calendar {
public:
    explicit Calendar(double rate = 1.0) : rate_(rate) {}
    double reserve(double start, double bytes) {
        if (bytes <= 0) return start;
        const double cap = rate_ * kBucket;
        std::size_t b = static_cast<std::size_t>(std::max(0.0, start) / kBucket);
        double remaining = bytes;
        for (;; ++b) {
            if (b >= used_.size()) used_.resize(b + 1024, 0.0);
            const double take = std::min(cap - used_[b], remaining);
            if (take <= 0) continue;
            used_[b] += take;
            remaining -= take;
            total_ += take;
            if (remaining <= 0) {
                return std::max(static_cast<double>(b) * kBucket + kBucket * used_[b] / cap, start + bytes / rate_);
            }
        }
    }
    double busy_cycles() const { return total_ / rate_; }

private:
    static constexpr double kBucket = 64.0;
    double rate_;
    double total_ = 0;
    std::vector<double> used_;
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
    bool l1_window = false;        // the running core's L1 is also mapped at its plain L1 addresses
    Calendar dram;                 // device-time model: the DRAM bandwidth of the whole device
    std::vector<Calendar> ports;   // ... and each core's NOC ports (port_of: by slot, NOC and direction)
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

// ---- device-time model helpers ------------------------------------------------------------------------
const TimingModel& timing() { return g_run->dev->arch->timing; }

// The clock of the side of a CB a processor works on: in a compute kernel the producer side
// (reserve/push) is the packer, the consumer side (wait/pop) the unpacker.
double& cb_clock(Executor* e, bool producer) {
    if (e->kernel->role != Role::Compute) return e->t;
    return producer ? e->pack : e->unpack;
}

// Router hops between two cores (logical coordinates) and, on average, between a core and a DRAM bank.
double hops_between(const CoreState& a, const CoreState& b) {
    const auto d = [](std::size_t u, std::size_t v) { return static_cast<double>(u > v ? u - v : v - u); };
    return d(a.logical.x, b.logical.x) + d(a.logical.y, b.logical.y);
}
double dram_hops() {
    const tt_mock::ArchGeometry& geo = g_run->dev->arch->geo;
    return (geo.grid_x + geo.grid_y) / 2.0;
}

// A core's NOC port calendar: every Tensix core has two NOCs, and on each an injection port (bytes
// leaving the core) and an ejection port (bytes arriving), each one NOC link wide.
enum class PortDir : unsigned { Out = 0, In = 1 };
Calendar& port_of(const CoreState& core, int noc, PortDir dir) {
    return g_run->ports[core.slot * 4 + static_cast<unsigned>(noc & 1) * 2 + static_cast<unsigned>(dir)];
}

// Reads a transfer's completion cycle off the DRAM and port calendars. `incoming`: the bytes arrive at
// the issuing core (a read), else they leave it (a write); on the issuing kernel's NOC.
double model_transfer(Executor* e, double start, std::uint32_t size, bool dram, CoreState* other, bool incoming,
                      double* local_done = nullptr) {
    const TimingModel& tm = timing();
    const int noc = e->kernel->noc;
    double done = port_of(*e->core, noc, incoming ? PortDir::In : PortDir::Out).reserve(start, size);
    if (!incoming) e->writes_departed = std::max(e->writes_departed, done);  // through this core's injection port
    if (local_done != nullptr) *local_done = done;  // the bytes have passed this core's port
    double latency = 0;
    if (dram) {
        done = std::max(done, g_run->dram.reserve(start + tm.dram_latency, size));
        latency = dram_hops() * tm.hop_latency;
    } else if (other != nullptr && other != e->core) {
        done = std::max(done, port_of(*other, noc, incoming ? PortDir::Out : PortDir::In).reserve(start, size));
        latency = hops_between(*e->core, *other) * tm.hop_latency;
    }
    return done + latency;
}

void sem_touch(CoreState& core, std::uint32_t off, double when) {
    double& t = core.sem_time[off];
    t = std::max(t, when);
}

void apply_cb_interface(Executor* e, std::int32_t cb, CBState& c);
void refresh_cb_interface(Executor* e, std::int32_t cb, const CBState& c);
std::uint32_t cb_addr_shift(const Executor* e);

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
    if (e->cbi_used[cb]) apply_cb_interface(e, cb, c);
    return c;
}

// The FIFO slot an address assigned to fifo_rd_ptr / fifo_wr_ptr names (fails unless it is a page of the CB).
std::uint32_t cb_slot_of(Executor* e, std::int32_t cb, const CBState& c, std::uint32_t addr, const char* field) {
    const std::uint32_t base = e->core->l1_addr + c.base;
    if (addr < base || addr >= base + c.num_pages * c.page_size || (addr - base) % c.page_size != 0) {
        // L1 offsets, as the other L1 diagnostics print them
        fail(e, "get_local_cb_interface(" + std::to_string(cb) + ")." + field + " = L1 " + hex(addr - e->core->l1_addr) +
                    ": not the start of a page of CB " + std::to_string(cb) + " (its " + std::to_string(c.num_pages) +
                    " pages of " + std::to_string(c.page_size) + " bytes start at L1 " + hex(c.base) + ")");
    }
    return (addr - base) / c.page_size;
}

// Applies what the kernel assigned to its CB interface record since the runtime last wrote it.
void apply_cb_interface(Executor* e, std::int32_t cb, CBState& c) {
    LocalCBInterface& r = e->cbi[cb];
    const LocalCBInterface& seen = e->cbi_seen[cb];
    const std::uint32_t shift = cb_addr_shift(e);
    if (r.fifo_rd_ptr != seen.fifo_rd_ptr) c.rd = cb_slot_of(e, cb, c, r.fifo_rd_ptr << shift, "fifo_rd_ptr");
    if (r.fifo_wr_ptr != seen.fifo_wr_ptr) c.wr = cb_slot_of(e, cb, c, r.fifo_wr_ptr << shift, "fifo_wr_ptr");
    if (r.fifo_size != seen.fifo_size || r.fifo_limit != seen.fifo_limit || r.fifo_page_size != seen.fifo_page_size ||
        r.fifo_num_pages != seen.fifo_num_pages) {
        fail(e, "get_local_cb_interface(" + std::to_string(cb) +
                    "): the kernel changed the CB's size, limit, page size or page count: not implemented in the mock "
                    "(only fifo_rd_ptr and fifo_wr_ptr may be assigned)");
    }
    e->cbi_seen[cb] = r;
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

// A deferred pack-thread cb_push_back (DeferredPackCall::op; not a compute op code).
constexpr std::uint32_t kDeferredCbPushBack = 0xffff0000u;

void api_cb_reserve_back(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_reserve_back");
    const std::string call = "cb_reserve_back(cb=" + std::to_string(cb) + ", " + std::to_string(n) + " pages)";
    if (e->core->dst_state == DstState::PackWaiting && e->kernel->role == Role::Compute) {
        fail(e, call + " between tile_regs_wait() and the math thread's tile_regs_commit(): the pack thread's "
                       "reservation would wait for the commit, which the mock does not emulate for a reservation");
    }
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
    double& clk = cb_clock(e, true);
    for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(n); ++i) clk = std::max(clk, c.freed[(c.wr + i) % c.num_pages]);
    c.reserved = std::max(c.reserved, static_cast<std::uint32_t>(n));
    ++g_run->progress;
}

void api_cb_push_back(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    if (e->core->dst_state == DstState::PackWaiting && e->kernel->role == Role::Compute) {
        // the pack thread is still blocked in tile_regs_wait(): it pushes after the math thread commits
        e->core->deferred_pack.push_back({kDeferredCbPushBack, static_cast<std::uint32_t>(cb),
                                          static_cast<std::uint32_t>(n), 0, 0, 0, 0.0f});
        ++g_run->progress;
        return;
    }
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
    const double clk = cb_clock(e, true);
    for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(n); ++i) c.ready[(c.wr + i) % c.num_pages] = clk;
    c.reserved -= static_cast<std::uint32_t>(n);
    c.avail += static_cast<std::uint32_t>(n);
    c.pushed += static_cast<std::uint32_t>(n);
    c.producers |= me;
    c.wr = (c.wr + static_cast<std::uint32_t>(n)) % c.num_pages;
    c.pack_slot = 0;
    if (e->cbi_used[cb]) refresh_cb_interface(e, cb, c);
    ++g_run->progress;
}

void api_cb_wait_front(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_wait_front");
    if (n == 0) {  // a no-op on the device too
        ++g_run->progress;
        return;
    }
    if (n < 0 || static_cast<std::uint32_t>(n) > c.num_pages) {
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
    double& clk = cb_clock(e, false);
    for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(n); ++i) clk = std::max(clk, c.ready[(c.rd + i) % c.num_pages]);
    c.waited = std::max(c.waited, static_cast<std::uint32_t>(n));
    ++g_run->progress;
}

void api_cb_pop_front(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_pop_front");
    const std::string call = "cb_pop_front(cb=" + std::to_string(cb) + ", " + std::to_string(n) + " pages)";
    if (n == 0) {  // a no-op on the device too
        ++g_run->progress;
        return;
    }
    if (n < 0 || static_cast<std::uint32_t>(n) > c.waited) {
        fail(e, call + ": only " + std::to_string(c.waited) +
                    " pages were obtained with cb_wait_front (pop without wait); " + cb_status(c));
    }
    if (c.rd + static_cast<std::uint32_t>(n) <= c.num_pages) {
        const std::uint32_t begin = c.base + c.rd * c.page_size;
        const std::uint32_t end = begin + static_cast<std::uint32_t>(n) * c.page_size;
        for (const auto& ex : g_run->execs) {
            if (ex->core != e->core) continue;
            // The pop hands the pages back to the CB's producer. A write issued by the producer itself
            // (a sender multicasting the block it pushed, as ttnn's matmul readers do) is ordered by the
            // producer before it writes the pages again; anyone else's must have completed.
            if (c.producers & (1u << static_cast<unsigned>(ex->kernel->role))) continue;
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
    const double clk = cb_clock(e, false);
    for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(n); ++i) c.freed[(c.rd + i) % c.num_pages] = clk;
    c.waited -= static_cast<std::uint32_t>(n);
    c.avail -= static_cast<std::uint32_t>(n);
    c.popped += static_cast<std::uint32_t>(n);
    c.consumers |= me;
    c.rd = (c.rd + static_cast<std::uint32_t>(n)) % c.num_pages;
    if (e->cbi_used[cb]) refresh_cb_interface(e, cb, c);
    ++g_run->progress;
}

bool api_cb_pages_reservable_at_back(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_pages_reservable_at_back");
    const bool ok = n >= 0 && c.num_pages - c.avail >= static_cast<std::uint32_t>(n);
    if (!ok) {
        yield(e, ExecState::Poll);
    } else {
        double& clk = cb_clock(e, true);
        for (std::int32_t i = 0; i < n; ++i) clk = std::max(clk, c.freed[(c.wr + i) % c.num_pages]);
    }
    return ok;
}

bool api_cb_pages_available_at_front(std::int32_t cb, std::int32_t n) {
    Executor* e = cur();
    CBState& c = cb_of(e, cb, "cb_pages_available_at_front");
    const bool ok = n >= 0 && c.avail >= static_cast<std::uint32_t>(n);
    if (!ok) {
        yield(e, ExecState::Poll);
    } else {
        double& clk = cb_clock(e, false);
        for (std::int32_t i = 0; i < n; ++i) clk = std::max(clk, c.ready[(c.rd + i) % c.num_pages]);
    }
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

// The unit of a CB record's addresses and sizes: bytes on the data-movement RISCs, 16-byte words on
// the TRISCs (the device's CIRCULAR_BUFFER_COMPUTE_ADDR_SHIFT).
std::uint32_t cb_addr_shift(const Executor* e) { return e->kernel->role == Role::Compute ? 4 : 0; }

// Writes the CB's current state into this processor's record (as the device's own CB calls update it).
void refresh_cb_interface(Executor* e, std::int32_t cb, const CBState& c) {
    LocalCBInterface& r = e->cbi[cb];
    const std::uint32_t shift = cb_addr_shift(e);
    const std::uint32_t base = e->core->l1_addr + c.base;
    r.fifo_page_size = c.page_size >> shift;
    r.fifo_num_pages = c.num_pages;
    r.fifo_size = (c.page_size * c.num_pages) >> shift;
    r.fifo_limit = (base + c.page_size * c.num_pages) >> shift;
    r.fifo_rd_ptr = (base + c.rd * c.page_size) >> shift;
    r.fifo_wr_ptr = (base + c.wr * c.page_size) >> shift;
    e->cbi_seen[cb] = r;
}

LocalCBInterface* api_local_cb_interface(std::int32_t cb) {
    Executor* e = cur();
    const CBState& c = cb_of(e, cb, "get_local_cb_interface");  // applies earlier assignments first
    refresh_cb_interface(e, cb, c);
    e->cbi_used[cb] = true;
    return &e->cbi[cb];
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

inline constexpr std::uint32_t kNumSemaphores = 16, kSemStride = 16;

std::string core_str(const CoreState& c) {
    return "(" + std::to_string(c.logical.x) + "," + std::to_string(c.logical.y) + ")";
}

// Whether [off, off + size) lies in core `bank`'s bank of an allocated L1 buffer (a sharded buffer: its
// shard on that core, if the core holds one).
bool in_l1_buffer(std::uint32_t bank, std::uint32_t off, std::uint32_t size) {
    for (const auto& [addr, b] : g_run->dev->l1_buffers) {
        if (!b->shard_pages.empty() && (bank >= b->shard_pages.size() || b->shard_pages[bank].empty())) continue;
        const std::uint64_t end = addr + static_cast<std::uint64_t>(b->pages_per_bank) * b->aligned_page_size;
        if (off >= addr && static_cast<std::uint64_t>(off) + size <= end) return true;
    }
    return false;
}

// Where a kernel may address L1 over the NOC: a CB of the core, the semaphore words, an L1 buffer's bank.
bool in_cb_region(const CoreState& core, std::uint32_t off, std::uint32_t size) {
    for (const auto& c : core.cb) {
        if (c.configured && off >= c.base && off + size <= c.base + c.num_pages * c.page_size) return true;
    }
    if (off >= kL1SemBase && off + size <= kL1SemBase + kNumSemaphores * kSemStride) return true;
    return in_l1_buffer(core.index, off, size);
}

// The L1 offset of a local L1 address of this core: a pointer into its simulated L1 (get_write_ptr(),
// get_semaphore(), ...) or a plain L1 address (an L1 buffer's address, as the host passes it).
std::uint32_t local_l1(Executor* e, std::uint32_t addr, std::uint32_t size, const char* call) {
    std::uint32_t off = 0;
    CoreState* c = split_l1(addr, off);
    if (c == nullptr && addr < g_run->dev->arch->geo.l1_size) {
        c = e->core;
        off = addr;
    }
    if (c != e->core) {
        fail(e, std::string(call) + ": local L1 address " + hex(addr) + " is not in this core's L1");
    }
    if (!in_cb_region(*e->core, off, size)) {
        fail(e, std::string(call) + ": local L1 range [" + hex(off) + ", " + hex(off + size) +
                    ") is outside every circular buffer, semaphore and L1 buffer of this core");
    }
    return off;
}

// A remote write must not land on pages a CB of the target core holds for its consumer (pushed, not
// yet popped): on the device the consumer would read the new bytes in place of the ones pushed.
void check_remote_cb_write(Executor* e, const CoreState& target, std::uint32_t off, std::uint32_t size,
                           const char* call) {
    for (std::uint32_t id = 0; id < kNumCBs; ++id) {
        const CBState& c = target.cb[id];
        if (!c.configured || c.avail == 0) continue;
        for (std::uint32_t i = 0; i < c.avail; ++i) {
            const std::uint32_t lo = c.base + ((c.rd + i) % c.num_pages) * c.page_size, hi = lo + c.page_size;
            if (lo < off + size && off < hi) {
                fail(e, std::string(call) + ": writes L1 [" + hex(off) + ", " + hex(off + size) + ") of core " +
                            core_str(target) + " over pages of its CB " + std::to_string(id) +
                            " that were pushed and not yet popped (" + cb_status(c) +
                            "): the receiver has not freed them (it should signal the sender after cb_reserve_back, "
                            "and the sender wait for that signal before writing)");
            }
        }
    }
}

bool is_worker_xy(std::uint32_t x, std::uint32_t y) {
    const tt_mock::ArchGeometry& geo = g_run->dev->arch->geo;
    return x >= tt_mock::kWorkerNocOffset && y >= tt_mock::kWorkerNocOffset && x < tt_mock::kWorkerNocOffset + geo.grid_x &&
           y < tt_mock::kWorkerNocOffset + geo.grid_y;
}

// Resolves a remote NOC range to host memory; fails with a precise message when out of bounds.
// `dram` tells whether it is a DRAM bank; `target` the Tensix core of an L1 range (nullptr for DRAM).
std::uint8_t* resolve_remote(Executor* e, std::uint64_t noc_addr, std::uint32_t size, const char* call, bool* dram = nullptr,
                             CoreState** target_out = nullptr) {
    const Decoded d = decode(noc_addr);
    DeviceState& dev = *g_run->dev;
    const tt_mock::ArchGeometry& geo = dev.arch->geo;
    const bool is_worker = is_worker_xy(d.x, d.y);
    if (!d.dram && !is_worker) {
        fail(e, std::string(call) + ": NOC address " + hex(noc_addr) + " names no DRAM bank or Tensix core (x=" +
                    std::to_string(d.x) + ", y=" + std::to_string(d.y) + ")");
    }
    if (dram) *dram = d.dram;
    const std::uint32_t bank =
        d.dram ? d.x : (d.y - tt_mock::kWorkerNocOffset) * geo.grid_x + (d.x - tt_mock::kWorkerNocOffset);
    CoreState* target = d.dram ? nullptr : g_run->core_by_index[bank];
    if (target_out) *target_out = target;
    const auto& buffers = d.dram ? dev.dram_buffers : dev.l1_buffers;
    auto it = buffers.upper_bound(d.addr);
    if (it != buffers.begin()) {
        --it;
        BufferState& b = *it->second;
        const std::uint64_t rel = d.addr - b.address;
        if (rel < static_cast<std::uint64_t>(b.pages_per_bank) * b.aligned_page_size) {
            const std::uint64_t row = rel / b.aligned_page_size, within = rel % b.aligned_page_size;
            const std::uint64_t page = page_in_bank(b, bank, row);
            if (page == kNoPage && !b.shard_pages.empty()) {
                fail(e, std::string(call) + ": L1 address " + hex(d.addr) + " is in no page of the sharded buffer at " +
                            hex(b.address) + " on core (" + std::to_string(bank % geo.grid_x) + "," +
                            std::to_string(bank / geo.grid_x) + ") (" +
                            (bank < b.shard_pages.size() && !b.shard_pages[bank].empty()
                                 ? "slot " + std::to_string(row) + " pads its partial shard)"
                                 : "the core holds no shard of it)"));
            }
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
            // the pages of an L1 buffer on a core of the run live in that core's simulated L1
            if (target != nullptr) return target->l1 + d.addr;
            return b.data.data() + page * b.page_size + within;
        }
    }
    if (d.dram) {
        fail(e, std::string(call) + ": DRAM bank " + std::to_string(bank) + " address " + hex(d.addr) +
                    " is not inside any allocated buffer");
    }
    // a Tensix core's L1 (e.g. a CB or semaphore of another core)
    if (target == nullptr) {
        fail(e, std::string(call) + ": core (" + std::to_string(bank % geo.grid_x) + "," +
                    std::to_string(bank / geo.grid_x) + ") runs no kernel of this program");
    }
    const std::uint32_t off = static_cast<std::uint32_t>(d.addr);
    if (d.addr + size > geo.l1_size || !in_cb_region(*target, off, size)) {
        fail(e, std::string(call) + ": L1 range [" + hex(off) + ", " + hex(off + size) + ") of core (" +
                    std::to_string(target->logical.x) + "," + std::to_string(target->logical.y) +
                    ") is outside its circular buffers, semaphores and L1 buffers");
    }
    return target->l1 + off;
}

void api_noc_read(std::uint64_t src, std::uint32_t dst_l1, std::uint32_t size) {
    Executor* e = cur();
    const std::uint32_t off = local_l1(e, dst_l1, size, "noc_async_read");
    bool dram = false;
    CoreState* read_src = nullptr;
    std::uint8_t* from = resolve_remote(e, src, size, "noc_async_read", &dram, &read_src);
    e->t += timing().noc_issue;
    const double landed = model_transfer(e, e->t, size, dram, read_src, true);
    // A write this processor issued reads its source pages until its bytes have left L1 (guaranteed
    // by noc_async_writes_flushed() or the barrier); a read whose bytes land in those pages before
    // then (device-time model) makes the device send the new bytes instead.
    for (const auto& r : e->pending_writes) {
        if (overlaps(r, e->core->index, off, off + size) && landed < r.left) {
            fail(e, "noc_async_read: L1 range [" + hex(off) + ", " + hex(off + size) + ") is the source of a "
                    "noc_async_write issued by this processor that has not left L1 when the read's bytes land: "
                    "call noc_async_writes_flushed() before writing into these pages again");
        }
    }
    std::memmove(e->core->l1 + off, from, size);
    e->pending_reads.push_back({e->core->index, off, off + size});
    e->reads_done = std::max(e->reads_done, landed);
    CoreStats& st = e->core->stats;
    st.noc_read_bytes += size;
    ++st.noc_reads;
    (dram ? st.dram_read_bytes : st.l1_read_bytes) += size;
    ++g_run->progress;
}

void api_noc_write(std::uint32_t src_l1, std::uint64_t dst, std::uint32_t size) {
    Executor* e = cur();
    const std::uint32_t off = local_l1(e, src_l1, size, "noc_async_write");
    bool dram = false;
    CoreState* target = nullptr;
    std::uint8_t* to = resolve_remote(e, dst, size, "noc_async_write", &dram, &target);
    if (target != nullptr && target != e->core) {
        check_remote_cb_write(e, *target, static_cast<std::uint32_t>(to - target->l1), size, "noc_async_write");
    }
    std::memmove(to, e->core->l1 + off, size);
    e->t += timing().noc_issue;
    double left = 0;
    e->last_arrival = std::max(e->last_arrival, model_transfer(e, e->t, size, dram, target, false, &left));
    e->pending_writes.push_back({e->core->index, off, off + size, left});
    e->writes_done = std::max(e->writes_done, e->last_arrival);
    CoreStats& st = e->core->stats;
    st.noc_write_bytes += size;
    ++st.noc_writes;
    (dram ? st.dram_write_bytes : st.l1_write_bytes) += size;
    ++g_run->progress;
}

// The cores a multicast (or multicast atomic) reaches. Checks the rectangle against the NOC it is sent
// on, the grid and num_dests, as the device needs them.
std::vector<CoreState*> mcast_targets(Executor* e, std::uint64_t mcast_addr, std::uint32_t num_dests, std::uint32_t flags,
                                      const std::string& call, bool atomic) {
    const unsigned base = tt_mock::kNocAddrLocalBits, bits = tt_mock::kNocAddrNodeIdBits;
    const auto field = [&](unsigned i) { return static_cast<std::uint32_t>((mcast_addr >> (base + i * bits)) & 63); };
    const std::uint32_t xe = field(0), ye = field(1), xs = field(2), ys = field(3);
    const std::uint32_t noc = (flags >> 8) & 0xff;
    const bool loopback = flags & tt_mock::kNocLoopback;
    auto xy = [](std::uint32_t x, std::uint32_t y) { return "(" + std::to_string(x) + "," + std::to_string(y) + ")"; };
    const std::string rect = xy(xs, ys) + "-" + xy(xe, ye);
    if ((noc == 0 && (xs > xe || ys > ye)) || (noc == 1 && (xs < xe || ys < ye))) {
        fail(e, call + ": the multicast rectangle " + rect + " is given in the wrong order for NOC " + std::to_string(noc) +
                    ": on NOC 0 the start corner is the top-left one (start <= end in x and y), on NOC 1 the "
                    "bottom-right one (start >= end)");
    }
    const std::uint32_t x0 = std::min(xs, xe), x1 = std::max(xs, xe), y0 = std::min(ys, ye), y1 = std::max(ys, ye);
    const tt_mock::ArchGeometry& geo = g_run->dev->arch->geo;
    if (!is_worker_xy(x0, y0) || !is_worker_xy(x1, y1)) {
        const std::uint32_t lo = tt_mock::kWorkerNocOffset;
        fail(e, call + ": the multicast rectangle " + rect + " (NOC coordinates) reaches beyond the Tensix cores of the " +
                    g_run->dev->arch->grid() + " " + g_run->dev->arch->title + " compute grid (NOC x " +
                    std::to_string(lo) + ".." + std::to_string(lo + geo.grid_x - 1) + ", y " + std::to_string(lo) + ".." +
                    std::to_string(lo + geo.grid_y - 1) + "; use worker_core_from_logical_core)");
    }
    const std::uint32_t mx = e->core->logical.x + tt_mock::kWorkerNocOffset, my = e->core->logical.y + tt_mock::kWorkerNocOffset;
    const bool self_in = mx >= x0 && mx <= x1 && my >= y0 && my <= y1;
    if (loopback && !self_in) {
        fail(e, call + ": the sender " + xy(mx, my) + " lies outside the multicast rectangle " + rect +
                    ": a loopback multicast writes the sender as one of the rectangle's cores");
    }
    if (atomic && self_in) {
        fail(e, call + ": the sender " + xy(mx, my) + " lies inside the multicast rectangle " + rect +
                    ": a multicast atomic cannot include its sender");
    }
    const std::uint32_t count = (x1 - x0 + 1) * (y1 - y0 + 1);
    const std::uint32_t reach = count - (self_in && !loopback ? 1 : 0);
    if (reach == 0) {
        fail(e, call + ": the multicast rectangle " + rect + " holds only the sender, which a non-loopback multicast "
                    "does not write: it reaches no core (use noc_async_write for a single core)");
    }
    if (num_dests != reach) {
        fail(e, call + ": num_dests is " + std::to_string(num_dests) + " but the multicast rectangle " + rect + " reaches " +
                    std::to_string(reach) + " cores" +
                    (self_in && !loopback ? " (the sender lies in it and a non-loopback multicast does not write it)" : "") +
                    ": on the device the write completes only after num_dests acknowledgements");
    }
    std::vector<CoreState*> out;
    out.reserve(reach);
    for (std::uint32_t y = y0; y <= y1; ++y) {
        for (std::uint32_t x = x0; x <= x1; ++x) {
            if (x == mx && y == my && !loopback) continue;
            const std::uint32_t lx = x - tt_mock::kWorkerNocOffset, ly = y - tt_mock::kWorkerNocOffset;
            CoreState* t = g_run->core_by_index[ly * geo.grid_x + lx];
            if (t == nullptr) {
                fail(e, call + ": the multicast rectangle " + rect + " reaches core (" + std::to_string(lx) + "," +
                            std::to_string(ly) + "), which runs no kernel of this program");
            }
            out.push_back(t);
        }
    }
    return out;
}

std::string mcast_call(std::uint32_t flags) {
    const bool sem = flags & tt_mock::kNocSemaphore, loop = flags & tt_mock::kNocLoopback;
    if (!(flags & tt_mock::kNocMcast)) return sem ? "noc_semaphore_set_remote" : "noc_async_write";
    if (sem) return loop ? "noc_semaphore_set_multicast_loopback_src" : "noc_semaphore_set_multicast";
    return loop ? "noc_async_write_multicast_loopback_src" : "noc_async_write_multicast";
}

void api_noc_write_ex(std::uint32_t src_l1, std::uint64_t dst, std::uint32_t size, std::uint32_t num_dests,
                      std::uint32_t flags) {
    Executor* e = cur();
    const std::string call = mcast_call(flags);
    const bool sem = flags & tt_mock::kNocSemaphore;
    const std::uint32_t off = local_l1(e, src_l1, size, call.c_str());
    CoreStats& st = e->core->stats;
    if (!(flags & tt_mock::kNocMcast)) {
        CoreState* target = nullptr;
        std::uint8_t* to = resolve_remote(e, dst, size, call.c_str(), nullptr, &target);
        if (target == nullptr) fail(e, call + ": NOC address " + hex(dst) + " is a DRAM bank: semaphores live in a Tensix core's L1");
        std::memmove(to, e->core->l1 + off, size);
        e->t += timing().noc_issue;
        e->last_arrival = std::max(e->last_arrival, model_transfer(e, e->t, size, false, target, false));
        e->writes_done = std::max(e->writes_done, e->last_arrival);
        sem_touch(*target, static_cast<std::uint32_t>(to - target->l1), e->last_arrival);
        ++st.sem_ops[static_cast<int>(SemOp::SetRemote)];
        ++g_run->progress;
        return;
    }
    const std::vector<CoreState*> targets = mcast_targets(e, dst, num_dests, flags, call, false);
    const std::uint32_t dst_off = static_cast<std::uint32_t>(dst & ((1ull << tt_mock::kNocAddrLocalBits) - 1));
    const tt_mock::ArchGeometry& geo = g_run->dev->arch->geo;
    for (CoreState* t : targets) {
        if (static_cast<std::uint64_t>(dst_off) + size > geo.l1_size || !in_cb_region(*t, dst_off, size)) {
            fail(e, call + ": L1 range [" + hex(dst_off) + ", " + hex(dst_off + size) + ") of core " + core_str(*t) +
                        " is outside its circular buffers, semaphores and L1 buffers");
        }
        if (t != e->core && !sem) check_remote_cb_write(e, *t, dst_off, size, call.c_str());
    }
    // every destination receives the bytes before anything issued later on this NOC (the semaphore
    // that announces them): the mock completes the write at issue
    for (CoreState* t : targets) std::memmove(t->l1 + dst_off, e->core->l1 + off, size);
    // device time: the sender's injection port on the multicast's NOC carries the bytes once, every
    // destination's ejection port receives them; they arrive after the farthest hop, and not before
    // anything this core wrote earlier (same NOC)
    const TimingModel& tm = timing();
    const int noc = static_cast<int>((flags >> 8) & 0xff);
    e->t += tm.noc_issue;
    const double left = port_of(*e->core, noc, PortDir::Out).reserve(e->t, size);
    double done = left, far = 0;
    e->writes_departed = std::max(e->writes_departed, left);
    for (CoreState* t : targets) {
        if (t != e->core) done = std::max(done, port_of(*t, noc, PortDir::In).reserve(e->t, size));
        far = std::max(far, hops_between(*e->core, *t));
    }
    e->last_arrival = std::max(e->last_arrival, done + far * tm.hop_latency);
    e->writes_done = std::max(e->writes_done, e->last_arrival);
    if (sem) {
        for (CoreState* t : targets) sem_touch(*t, dst_off, e->last_arrival);
        ++st.sem_ops[static_cast<int>(SemOp::SetMulticast)];
    } else {
        e->pending_writes.push_back({e->core->index, off, off + size, left});
        st.noc_write_bytes += size;
        ++st.noc_writes;
        st.mcast_write_bytes += size;
        ++st.mcast_writes;
        st.mcast_dest_bytes += static_cast<std::uint64_t>(size) * targets.size();
    }
    ++g_run->progress;
}

void api_noc_atomic_inc(std::uint64_t dst, std::uint32_t incr, std::uint32_t num_dests, std::uint32_t flags) {
    Executor* e = cur();
    const bool mcast = flags & tt_mock::kNocMcast;
    const std::string call = mcast ? "noc_semaphore_inc_multicast" : "noc_semaphore_inc";
    const std::uint32_t off = static_cast<std::uint32_t>(dst & ((1ull << tt_mock::kNocAddrLocalBits) - 1));
    if (off % 4 != 0) fail(e, call + ": L1 address " + hex(off) + " is not 4-byte aligned");
    std::vector<CoreState*> targets;
    if (mcast) {
        targets = mcast_targets(e, dst, num_dests, flags, call, true);
    } else {
        const Decoded d = decode(dst);
        if (!is_worker_xy(d.x, d.y)) {
            fail(e, call + ": NOC address " + hex(dst) + " (x=" + std::to_string(d.x) + ", y=" + std::to_string(d.y) +
                        ") is not a Tensix core: semaphores live in a Tensix core's L1");
        }
        CoreState* t = nullptr;
        resolve_remote(e, dst, 4, call.c_str(), nullptr, &t);
        targets.push_back(t);
    }
    for (CoreState* t : targets) {
        if (!in_cb_region(*t, off, 4)) {
            fail(e, call + ": L1 range [" + hex(off) + ", " + hex(off + 4) + ") of core " + core_str(*t) +
                        " is outside its circular buffers, semaphores and L1 buffers");
        }
        std::uint32_t v = 0;
        std::memcpy(&v, t->l1 + off, 4);
        v += incr;
        std::memcpy(t->l1 + off, &v, 4);
    }
    e->t += timing().noc_issue;
    for (CoreState* t : targets) {
        const double arrival = e->t + hops_between(*e->core, *t) * timing().hop_latency;
        sem_touch(*t, off, arrival);
        e->atomics_done = std::max(e->atomics_done, arrival);
    }
    ++e->core->stats.sem_ops[static_cast<int>(mcast ? SemOp::IncMulticast : SemOp::Inc)];
    ++g_run->progress;
}

void api_noc_atomic_barrier() {
    Executor* e = cur();
    e->t = std::max(e->t, e->atomics_done);
}

// A semaphore word of this core: its L1 offset (fails outside this core's L1).
std::uint32_t sem_offset(Executor* e, std::uint32_t addr, const char* call) {
    std::uint32_t off = 0;
    if (split_l1(addr, off) != e->core || off % 4 != 0) {
        fail(e, std::string(call) + ": semaphore address " + hex(addr) +
                    " is not a 4-byte aligned word of this core's L1 (use get_semaphore(id))");
    }
    return off;
}

std::string sem_name(std::uint32_t off) {
    if (off >= kL1SemBase && off < kL1SemBase + kNumSemaphores * kSemStride && (off - kL1SemBase) % kSemStride == 0) {
        return "semaphore " + std::to_string((off - kL1SemBase) / kSemStride);
    }
    return "the L1 word at " + hex(off);
}

void api_semaphore_set(std::uint32_t addr, std::uint32_t val) {
    Executor* e = cur();
    const std::uint32_t off = sem_offset(e, addr, "noc_semaphore_set");
    std::memcpy(e->core->l1 + off, &val, 4);
    sem_touch(*e->core, off, cb_clock(e, true));
    ++e->core->stats.sem_ops[static_cast<int>(SemOp::Set)];
    ++g_run->progress;
}

bool sem_ok(std::uint32_t v, std::uint32_t want, bool min) { return min ? v >= want : v == want; }

void api_semaphore_wait(std::uint32_t addr, std::uint32_t val, std::uint32_t min) {
    Executor* e = cur();
    const std::uint32_t off = sem_offset(e, addr, min ? "noc_semaphore_wait_min" : "noc_semaphore_wait");
    const volatile std::uint32_t* word = reinterpret_cast<const volatile std::uint32_t*>(e->core->l1 + off);
    ++e->core->stats.sem_ops[static_cast<int>(SemOp::Wait)];
    if (!sem_ok(*word, val, min != 0)) {
        e->wait = WaitKind::Sem;
        e->wait_sem = word;
        e->wait_sem_off = off;
        e->wait_val = val;
        e->wait_min = min != 0;
        yield(e, ExecState::Blocked);
        e->wait = WaitKind::None;
    }
    double& clk = cb_clock(e, false);
    clk = std::max(clk, e->core->sem_time[off]);
    ++g_run->progress;
}

std::uint64_t api_bank_noc_addr(std::uint32_t dram, std::uint32_t bank, std::uint32_t offset) {
    Executor* e = cur();
    const Arch& arch = *g_run->dev->arch;
    if (dram) {
        if (bank >= arch.geo.num_dram_banks) {
            fail(e, "get_noc_addr_from_bank_id<true>(" + std::to_string(bank) + ", ...): bank " + std::to_string(bank) +
                        " is out of range: " + arch.title + " has " + std::to_string(arch.geo.num_dram_banks) +
                        " DRAM banks");
        }
        return tt_mock::noc_xy_addr(bank, 0, offset);
    }
    if (bank >= arch.num_cores()) {
        fail(e, "get_noc_addr_from_bank_id<false>(" + std::to_string(bank) + ", ...): bank " + std::to_string(bank) +
                    " is out of range: " + arch.title + " has " + std::to_string(arch.num_cores()) +
                    " L1 banks (one per core of the compute grid)");
    }
    return tt_mock::noc_xy_addr(bank % arch.geo.grid_x + tt_mock::kWorkerNocOffset,
                                bank / arch.geo.grid_x + tt_mock::kWorkerNocOffset, offset);
}

void api_device_print(const char* text) {
    Executor* e = cur();
    if (env_str("TT_METAL_DPRINT_CORES").empty()) return;
    std::fprintf(stdout, "%s: %s\n", where(*e).c_str(), text);
    std::fflush(stdout);
}

void api_noc_read_barrier() {
    Executor* e = cur();
    e->pending_reads.clear();
    e->t = std::max(e->t, e->reads_done);
}
void api_noc_write_barrier() {
    Executor* e = cur();
    e->pending_writes.clear();
    e->t = std::max(e->t, e->writes_done);
}
void api_noc_writes_flushed() {  // waits for the writes to leave L1, not to arrive (noc_async_write_barrier)
    Executor* e = cur();
    e->pending_writes.clear();
    e->t = std::max(e->t, e->writes_departed);
}

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
    if (id >= kNumSemaphores) {
        fail(e, "get_semaphore(" + std::to_string(id) + "): semaphore id out of range: a core has " +
                    std::to_string(kNumSemaphores) + " semaphores (CreateSemaphore returns their ids)");
    }
    return e->core->l1_addr + kL1SemBase + id * kSemStride;
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
    } else if (c.dst_state != DstState::Acquired && c.dst_state != DstState::Legacy &&
               c.dst_state != DstState::PackWaiting) {
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
// Device-time model of the compute kernel's three threads (cycles per 32x32 tile). The matrix engine
// figures are the tt-metal matrix-engine tech report's (8x16 x 16x16 per cycle: a tile matmul takes
// 16 cycles per fidelity phase, an eltwise add/sub 8, mul 8 per phase); unpack, pack and SFPU cycles
// are estimates (docs/mock_sdk.md).
inline constexpr double kMatmulTileCycles = 16, kEltwiseTileCycles = 8, kUnpackTileCycles = 8, kPackTileCycles = 16;
inline constexpr double kSfpuSimpleCycles = 64, kSfpuTranscendentalCycles = 512;

double fidelity_phases(const Executor* e) { return tile_math::fidelity_phases(e->kernel->math_fidelity); }

void model_math(Executor* e, int tiles_unpacked, double cycles) {
    // SrcA / SrcB are double-buffered: the unpacker fills one while the math thread uses the other, so it
    // starts an op's operands no earlier than the math thread started the previous op
    e->unpack = std::max(e->unpack, e->math_begin) + tiles_unpacked * kUnpackTileCycles;
    e->math_begin = std::max(e->math, e->unpack);
    e->math = e->math_begin + cycles;
}

double sfpu_cycles(std::uint32_t op) {
    switch (op) {
        case tt_mock::kSfpuRelu:
        case tt_mock::kSfpuFill:
        case tt_mock::kSfpuNeg:
        case tt_mock::kSfpuAbs:
        case tt_mock::kSfpuSquare: return kSfpuSimpleCycles;
        default: return kSfpuTranscendentalCycles;
    }
}

// A tile op of the FPU (matrix engine), counted per op and per the kernel's math fidelity.
void count_fpu(Executor* e, Stat op) {
    ++e->core->stats.tiles[static_cast<int>(op)];
    const int f = std::clamp(e->kernel->math_fidelity, 0, kNumFidelities - 1);
    ++e->core->stats.fidelity_tiles[f][static_cast<int>(op)];
}

void api_compute(std::uint32_t op, std::uint32_t a, std::uint32_t b, std::uint32_t cc, std::uint32_t d,
                 std::uint32_t ee, float f) {
    Executor* e = cur();
    CoreState& core = *e->core;
    if (e->kernel->role != Role::Compute) fail(e, std::string(op_name(op)) + " called from a data-movement kernel");
    alignas(64) float ta[1024];
    alignas(64) float tb[1024];
    ++g_run->progress;
    if (core.dst_state == DstState::PackWaiting &&
        (op == tt_mock::kOpPackTile || op == tt_mock::kOpPackUntilizeDest || op == tt_mock::kOpPackRelu ||
         op == tt_mock::kOpPackL1Acc)) {
        // the pack thread is blocked in tile_regs_wait() until the math thread commits
        core.deferred_pack.push_back({op, a, b, cc, d, ee, f});
        return;
    }
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
            tile_math::matmul_acc(ta, tb, tr, core.dst.data() + ee * 1024, tile_math::fidelity_phases(e->kernel->math_fidelity));
            count_fpu(e, Stat::Matmul);
            model_math(e, 2, kMatmulTileCycles * fidelity_phases(e));
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
                count_fpu(e, Stat::Add);
                model_math(e, 2, kEltwiseTileCycles);
            } else if (op == tt_mock::kOpSubTiles) {
                for (int i = 0; i < 1024; ++i) out[i] = ta[i] - tb[i];
                count_fpu(e, Stat::Sub);
                model_math(e, 2, kEltwiseTileCycles);
            } else {
                const int phases = tile_math::fidelity_phases(e->kernel->math_fidelity);
                for (int i = 0; i < 1024; ++i) out[i] = tile_math::fpu_mul(ta[i], tb[i], phases);
                count_fpu(e, Stat::Mul);
                model_math(e, 2, kEltwiseTileCycles * fidelity_phases(e));
            }
            return;
        }
        case tt_mock::kOpCopyTile:
            check_dst(e, op, cc, false);
            unpack(e, a, b, op, core.dst.data() + cc * 1024);
            ++core.stats.tiles[static_cast<int>(Stat::Copy)];
            model_math(e, 1, kEltwiseTileCycles);
            return;
        case tt_mock::kOpSfpuInit: return;
        case tt_mock::kOpSfpu:
            check_dst(e, op, b, false);
            if (!tile_math::sfpu(a, core.dst.data() + b * 1024, f, cc, d, ee)) fail(e, "unknown SFPU op " + std::to_string(a));
            ++core.stats.tiles[static_cast<int>(Stat::Sfpu)];
            e->math += sfpu_cycles(a);
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
            if (core.dst_state == DstState::Legacy) e->pack = std::max(e->pack, e->math);
            e->pack += kPackTileCycles;
            return;
        }
        case tt_mock::kOpPackL1Acc:
            if (a > 1) fail(e, "pack_reconfig_l1_acc(" + std::to_string(a) + "): l1_acc_en must be 0 or 1");
            core.pack_l1_acc = a == 1;
            return;
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
            e->math = std::max(e->math, e->release[e->dst_half]);  // this half of DST was packed out
            return;
        case tt_mock::kOpRegsCommit: {
            if (core.dst_state != DstState::Acquired && core.dst_state != DstState::PackWaiting) {
                fail(e, "tile_regs_commit() without a preceding tile_regs_acquire()");
            }
            e->commit = e->math;
            if (core.dst_state == DstState::Acquired) {
                core.dst_state = DstState::Committed;
                return;
            }
            // the pack thread's tile_regs_wait() returns now: run what it did meanwhile, in its order
            core.dst_state = DstState::Waited;
            e->pack = std::max(e->pack, e->commit);
            std::vector<DeferredPackCall> calls;
            calls.swap(core.deferred_pack);
            for (const DeferredPackCall& call : calls) {
                if (call.op == kDeferredCbPushBack) {
                    api_cb_push_back(static_cast<std::int32_t>(call.a), static_cast<std::int32_t>(call.b));
                } else {
                    api_compute(call.op, call.a, call.b, call.c, call.d, call.e, call.f);
                }
            }
            return;
        }
        case tt_mock::kOpRegsWait:
            if (core.dst_state == DstState::Acquired) {  // on the device the pack thread blocks until the commit
                core.dst_state = DstState::PackWaiting;
                return;
            }
            if (core.dst_state != DstState::Committed) fail(e, "tile_regs_wait() without a preceding tile_regs_commit()");
            core.dst_state = DstState::Waited;
            e->pack = std::max(e->pack, e->commit);
            return;
        case tt_mock::kOpRegsRelease:
            if (core.dst_state == DstState::PackWaiting) {
                fail(e, "tile_regs_release() before the math thread's tile_regs_commit(): the pack thread waits in "
                        "tile_regs_wait() for a commit that never comes (the kernel would hang on the device)");
            }
            if (core.dst_state != DstState::Waited && core.dst_state != DstState::Legacy) {
                fail(e, "tile_regs_release() without a preceding tile_regs_wait()");
            }
            if (core.dst_state == DstState::Legacy) e->pack = std::max(e->pack, e->math);
            core.dst_state = DstState::Idle;
            e->release[e->dst_half] = e->pack;  // math continues in the other half meanwhile
            e->dst_half ^= 1;
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
            if (!tile_math::reduce(code >> 4, code & 15, ta, tb, core.dst.data() + ee * 1024, fresh,
                                   tile_math::fidelity_phases(e->kernel->math_fidelity))) {
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
                if (!tile_math::binary_op(code >> 4, ta[i], bb[i], out[i], tile_math::fidelity_phases(e->kernel->math_fidelity))) {
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
                if (!tile_math::binary_op(d, x, y, out[i], tile_math::fidelity_phases(e->kernel->math_fidelity))) fail(e, "binary_reuse_dest_tiles: unsupported op " + std::to_string(d));
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
                std::uint8_t* page = cb_page(e, out, out.wr, ee + t);
                if (core.pack_l1_acc) {  // the packer's L1 accumulation applies to tilize_block's packs too
                    if (!tile_math::unpack_tile(page, out.format, out.page_size, tb)) {
                        fail(e, "tilize_block: CB " + std::to_string(cc) + " data format is not supported by the mock");
                    }
                    for (int i = 0; i < 1024; ++i) ta[i] += tb[i];
                }
                if (!tile_math::pack_tile(ta, out.format, out.page_size, page)) {
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
    &api_noc_write_ex,
    &api_noc_atomic_inc,
    &api_noc_atomic_barrier,
    &api_semaphore_set,
    &api_semaphore_wait,
    &api_bank_noc_addr,
    &api_device_print,
    &api_local_cb_interface,
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
        if (e->core->dst_state == DstState::PackWaiting && e->kernel->role == Role::Compute) {
            fail(e, "the kernel ended while the pack thread waits in tile_regs_wait() for a tile_regs_commit() that "
                    "never comes (the kernel would hang on the device)");
        }
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
    if (e.wait == WaitKind::Sem) return sem_ok(*e.wait_sem, e.wait_val, e.wait_min);
    const CBState& c = e.core->cb[e.wait_cb];
    if (e.wait == WaitKind::Front) return c.avail >= static_cast<std::uint32_t>(e.wait_n);
    if (e.wait == WaitKind::Back) return c.num_pages - c.avail >= static_cast<std::uint32_t>(e.wait_n);
    return true;
}

std::string blocked_description(const Executor& e) {
    if (e.state == ExecState::Poll) return "polling (cb_pages_*_at_* loop) without progress";
    if (e.state == ExecState::Ready) return "not started";
    if (e.wait == WaitKind::Sem) {
        return std::string("blocked in ") + (e.wait_min ? "noc_semaphore_wait_min(" : "noc_semaphore_wait(") +
               sem_name(e.wait_sem_off) + (e.wait_min ? ", until >= " : ", until == ") + std::to_string(e.wait_val) +
               "): it holds " + std::to_string(*e.wait_sem);
    }
    const CBState& c = e.core->cb[e.wait_cb];
    if (e.wait == WaitKind::Front) {
        return "blocked in cb_wait_front(cb=" + std::to_string(e.wait_cb) + ", " + std::to_string(e.wait_n) +
               " pages): " + cb_status(c);
    }
    return "blocked in cb_reserve_back(cb=" + std::to_string(e.wait_cb) + ", " + std::to_string(e.wait_n) +
           " pages): " + cb_status(c) + "; no consumer frees pages";
}

// ---- stats -------------------------------------------------------------------------------------------------
void add_stats(CoreStats& t, const CoreStats& s) {
    t.noc_read_bytes += s.noc_read_bytes;
    t.noc_write_bytes += s.noc_write_bytes;
    t.noc_reads += s.noc_reads;
    t.noc_writes += s.noc_writes;
    t.dram_read_bytes += s.dram_read_bytes;
    t.dram_write_bytes += s.dram_write_bytes;
    t.l1_read_bytes += s.l1_read_bytes;
    t.l1_write_bytes += s.l1_write_bytes;
    t.mcast_write_bytes += s.mcast_write_bytes;
    t.mcast_writes += s.mcast_writes;
    t.mcast_dest_bytes += s.mcast_dest_bytes;
    for (int i = 0; i < static_cast<int>(SemOp::Count); ++i) t.sem_ops[i] += s.sem_ops[i];
    for (int i = 0; i < static_cast<int>(Stat::Count); ++i) t.tiles[i] += s.tiles[i];
    for (int f = 0; f < kNumFidelities; ++f) {
        for (int i = 0; i < static_cast<int>(Stat::Count); ++i) t.fidelity_tiles[f][i] += s.fidelity_tiles[f][i];
    }
    t.stalls_wait_front += s.stalls_wait_front;
    t.stalls_reserve_back += s.stalls_reserve_back;
}

std::uint64_t sem_total(const CoreStats& s) {
    std::uint64_t n = 0;
    for (int i = 0; i < static_cast<int>(SemOp::Count); ++i) n += s.sem_ops[i];
    return n;
}

std::string stats_json(const CoreStats& s) {
    std::ostringstream o;
    o << "\"noc_read_bytes\": " << s.noc_read_bytes << ", \"noc_write_bytes\": " << s.noc_write_bytes
      << ", \"noc_reads\": " << s.noc_reads << ", \"noc_writes\": " << s.noc_writes
      << ", \"dram_read_bytes\": " << s.dram_read_bytes << ", \"dram_write_bytes\": " << s.dram_write_bytes
      << ", \"l1_read_bytes\": " << s.l1_read_bytes << ", \"l1_write_bytes\": " << s.l1_write_bytes
      << ", \"mcast_write_bytes\": " << s.mcast_write_bytes << ", \"mcast_writes\": " << s.mcast_writes
      << ", \"mcast_dest_bytes\": " << s.mcast_dest_bytes << ", \"semaphore_ops\": {";
    for (int i = 0; i < static_cast<int>(SemOp::Count); ++i) {
        o << (i ? ", " : "") << "\"" << kSemOpNames[i] << "\": " << s.sem_ops[i];
    }
    o << "}, \"tiles\": {";
    for (int i = 0; i < static_cast<int>(Stat::Count); ++i) {
        o << (i ? ", " : "") << "\"" << kStatNames[i] << "\": " << s.tiles[i];
    }
    o << "}, \"tiles_by_fidelity\": {";
    bool first = true;
    for (int f = 0; f < kNumFidelities; ++f) {
        if (kFidelityNames[f][0] == '\0') continue;
        o << (first ? "" : ", ") << "\"" << kFidelityNames[f] << "\": {";
        first = false;
        bool first_op = true;
        for (Stat op : {Stat::Matmul, Stat::Add, Stat::Sub, Stat::Mul}) {
            o << (first_op ? "" : ", ") << "\"" << kStatNames[static_cast<int>(op)]
              << "\": " << s.fidelity_tiles[f][static_cast<int>(op)];
            first_op = false;
        }
        o << "}";
    }
    o << "}, \"cb_stalls\": {\"wait_front\": " << s.stalls_wait_front << ", \"reserve_back\": " << s.stalls_reserve_back
      << "}";
    return o.str();
}

// Device-time estimate of one core: each processor's finishing cycle, in microseconds.
struct CoreTime {
    double risc[3] = {0, 0, 0};  // RISCV_0 (BRISC), RISCV_1 (NCRISC), compute (TRISC)
    double total() const { return std::max({risc[0], risc[1], risc[2]}); }
};

std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

void emit_stats(DeviceState& dev, const Run& run) {
    const std::string target = env_str("TT_MOCK_STATS");
    if (target.empty()) return;
    const double us_per_cycle = 1e-3 / dev.arch->timing.clock_ghz;
    std::vector<CoreTime> times(run.cores.size());
    for (const auto& e : run.execs) {
        double& slot = times[e->core->slot].risc[static_cast<int>(e->kernel->role)];
        slot = std::max(slot, e->finish() * us_per_cycle);
    }
    double workload_us = 0;
    for (const auto& t : times) workload_us = std::max(workload_us, t.total());
    auto time_json = [](const CoreTime& t) {
        return "\"modeled_us\": " + num(t.total()) + ", \"modeled_us_by_risc\": {\"brisc\": " + num(t.risc[0]) +
               ", \"ncrisc\": " + num(t.risc[1]) + ", \"trisc\": " + num(t.risc[2]) + "}";
    };
    CoreStats total;
    std::ostringstream w;
    w << "{\"workload\": " << dev.workloads_run << ", \"arch\": \"" << dev.arch->name
      << "\", \"modeled_us\": " << num(workload_us) << ", \"modeled_dram_busy_us\": "
      << num(run.dram.busy_cycles() * us_per_cycle) << ", \"model\": \"estimate\", \"cores\": [";
    bool first = true;
    for (const auto& c : run.cores) {
        add_stats(total, c->stats);
        w << (first ? "\n  " : ",\n  ") << "{\"core\": [" << c->logical.x << ", " << c->logical.y << "], "
          << stats_json(c->stats) << ", " << time_json(times[c->slot]) << "}";
        first = false;
    }
    w << "],\n \"totals\": {\"cores\": " << run.cores.size() << ", " << stats_json(total)
      << ", \"modeled_us\": " << num(workload_us) << "}}";
    if (target == "-") {
        std::fprintf(stderr, "TT-Metalium mock stats, workload %llu\n", static_cast<unsigned long long>(dev.workloads_run));
        std::fprintf(stderr, "%-8s %12s %12s %8s %8s %8s %8s %8s %8s %8s %8s %8s %12s %12s %12s %8s %12s\n", "core",
                     "noc_rd_B", "noc_wr_B", "matmul", "add", "sub", "mul", "copy", "pack", "sfpu", "st_wait", "st_resv",
                     "dram_rd_B", "dram_wr_B", "mcast_B", "sem_ops", "est_us");
        auto row = [](const std::string& name, const CoreStats& s, double us) {
            auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
            std::fprintf(stderr, "%-8s %12llu %12llu", name.c_str(), u(s.noc_read_bytes), u(s.noc_write_bytes));
            for (int i = 0; i < static_cast<int>(Stat::Count); ++i) std::fprintf(stderr, " %8llu", u(s.tiles[i]));
            std::fprintf(stderr, " %8llu %8llu %12llu %12llu %12llu %8llu %12.3f\n", u(s.stalls_wait_front),
                         u(s.stalls_reserve_back), u(s.dram_read_bytes), u(s.dram_write_bytes), u(s.mcast_write_bytes),
                         u(sem_total(s)), us);
        };
        for (const auto& c : run.cores) row(core_str(*c), c->stats, times[c->slot].total());
        row("total", total, workload_us);
        std::fprintf(stderr, "est_us: modeled device time, an estimate (docs/mock_sdk.md, Device-time model)\n");
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
                fault_report::timeout(static_cast<unsigned>(secs));
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
    run.dram = Calendar(dev.arch->timing.dram_bytes_per_cycle);
    run.ports.assign(used.size() * 4, Calendar(dev.arch->timing.noc_bytes_per_cycle));  // 2 NOCs x in / out
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
                s.ready.assign(s.num_pages, 0.0);
                s.freed.assign(s.num_pages, 0.0);
            }
            cursor += (cb.total_size + 15) / 16 * 16;
        }
        if (cursor > dev.l1_buffer_low) {
            throw_error("circular buffers on core " + c.str() + " end at L1 offset " + hex(cursor) +
                        ", overlapping L1 buffers that start at " + hex(dev.l1_buffer_low));
        }
        for (const auto& s : program.semaphores) {
            if (std::find(s.cores.begin(), s.cores.end(), c) == s.cores.end()) continue;
            std::memcpy(cs->l1 + kL1SemBase + s.id * kSemStride, &s.initial_value, 4);
        }
        run.core_by_index[cs->index] = cs.get();
        run.cores.push_back(std::move(cs));
    }

    // The pages of L1 buffers held by the cores of the run live in their simulated L1 while it runs
    // (kernels address them with the buffer's L1 address), and go back to the buffers afterwards.
    struct L1BufferStage {
        Run& run;
        void copy(bool in) {
            for (const auto& [addr, b] : run.dev->l1_buffers) {
                for (const auto& cs : run.cores) {
                    for (std::uint32_t r = 0; r < b->pages_per_bank; ++r) {
                        const std::uint64_t page = page_in_bank(*b, cs->index, r);
                        if (page >= b->num_pages) {
                            if (b->shard_pages.empty()) break;  // interleaved: the core's last page
                            continue;                           // sharded: a padding slot, or no shard here
                        }
                        std::uint8_t* l1 = cs->l1 + addr + static_cast<std::uint64_t>(r) * b->aligned_page_size;
                        std::uint8_t* data = b->data.data() + page * b->page_size;
                        if (in) {
                            std::memcpy(l1, data, b->page_size);
                        } else {
                            std::memcpy(data, l1, b->page_size);
                        }
                    }
                }
            }
        }
        ~L1BufferStage() { copy(false); }
    } l1_stage{run};
    l1_stage.copy(true);
    // with L1 buffers, kernels may dereference their L1 addresses: show the running core's L1 there
    if (!dev.l1_buffers.empty()) run.l1_window = run.arena->show(0);

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
        fault_report::describe(e->fault, where(*e).c_str(), e->stack, stack_bytes());
    }

    Watchdog watchdog;
    fault_report::Scope fault_scope;
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
            if (run.l1_window) run.arena->show(e->core->slot);
            g_cur = e.get();
            fault_report::set_running(&e->fault);
            swapcontext(&run.sched, &e->ctx);
            fault_report::set_running(nullptr);
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
