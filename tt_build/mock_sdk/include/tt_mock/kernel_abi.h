// tt-build mock SDK: the call table between a compiled kernel (.so) and the mock runtime.
//
// Internal to the mock. Kernel and host code never name anything in here: the public device API
// headers (api/dataflow/..., api/compute/...) are thin inline wrappers that call through this table.
// A kernel .so does not resolve any symbol from the runtime: the runtime hands it a pointer to this
// table through the exported entry `tt_mock_kernel_bind` before running `kernel_main`, on the thread
// that runs it: the table pointer is thread-local, so copies of the runtime that share one kernel .so
// (one per host library in a process) never call into each other.
#pragma once

#include <cstdint>

// The device-side record of a circular buffer's FIFO as one processor sees it (each RISC keeps its own
// copy in its local memory); get_local_cb_interface() returns a reference to it. The subset of the real
// record's fields the mock models; addresses are kernel-visible L1 addresses.
struct LocalCBInterface {
    std::uint32_t fifo_size;
    std::uint32_t fifo_limit;
    std::uint32_t fifo_page_size;
    std::uint32_t fifo_num_pages;
    std::uint32_t fifo_rd_ptr;
    std::uint32_t fifo_wr_ptr;
};

namespace tt_mock {

inline constexpr std::uint32_t kKernelAbiVersion = 7;

// Compute operations dispatched through KernelApi::compute.
enum ComputeOp : std::uint32_t {
    kOpHwStartup = 0,      // a=icb0 b=icb1 c=ocb
    kOpMatmulInit,         // a=in0 b=in1 c=transpose
    kOpMatmulTiles,        // a=in0 b=in1 c=t0 d=t1 e=dst  (transpose from init)
    kOpBinaryInit,         // a=in0 b=in1 c=op
    kOpAddTiles,           // a=in0 b=in1 c=t0 d=t1 e=dst
    kOpSubTiles,
    kOpMulTiles,
    kOpCopyInit,           // a=cb
    kOpCopyTile,           // a=cb b=tile c=dst
    kOpPackTile,           // a=dst b=cb c=out_index d=out_of_order
    kOpSfpuInit,           // a=sfpu op
    kOpSfpu,               // a=sfpu op b=dst, f=param
    kOpRegsAcquire,
    kOpRegsCommit,
    kOpRegsWait,
    kOpRegsRelease,
    kOpReconfig,           // a..d = cb ids (0xffffffff = unused): validates ids only
    kOpMatmulTransposeTiles,  // matmul_tiles with explicit transpose: a..e like matmul, f=transpose
    kOpPackRelu,              // a=ReluType b=threshold (bfloat16 bits)
    // reduce / broadcast / transpose / tilize (api/compute/{reduce,bcast,transpose,tilize,untilize}.h)
    kOpReduceTile,       // a=icb b=icb_scaler c=tile d=scaler tile e=dst, f=PoolType*16+ReduceDim
    kOpBcastTiles,       // a=in0 b=in1 c=t0 d=t1 e=dst, f=EltwiseBinaryType*16+BroadcastType
    kOpUnaryBcast,       // a=cb b=tile c=dst d=BroadcastType
    kOpTransposeTile,    // a=cb b=tile c=dst
    kOpReuseDestTiles,   // a=cb b=tile c=dst d=EltwiseBinaryType e=EltwiseBinaryReuseDestType
    kOpSfpuBinary,       // a=SfpuBinaryOp b=dst0 c=dst1 d=out dst
    kOpTilizeBlock,      // a=icb b=tiles c=ocb (row-major CB pages -> tiles)
    kOpUntilizeBlock,    // a=icb b=tile rows c=ocb d=block_ct_dim e=full_ct_dim, f=block_c_index
    kOpPackUntilizeDest, // a=ocb b=tile rows c=block_ct_dim d=full_ct_dim e=block_c_index (DST -> rows)
    kOpCopyDest,         // a=dst in b=dst out
    kOpPackL1Acc,        // a=1: pack_tile adds to the CB tile it overwrites (packer L1 accumulation), 0: off
    kOpSfpuTernary,      // a=SfpuTernaryOp b=dst0 c=dst1 d=dst2 e=out dst
};

enum SfpuOp : std::uint32_t {
    kSfpuExp = 0,
    kSfpuRelu,
    kSfpuFill,
    kSfpuRecip,
    kSfpuSqrt,
    kSfpuNeg,
    kSfpuAbs,
    kSfpuSigmoid,
    kSfpuTanh,
    kSfpuGelu,
    kSfpuLog,
    kSfpuSquare,
    // the SFPU ops below take their scalars as IEEE-754 float bits in c (param0) and d (param1)
    kSfpuExp2,
    kSfpuRsqrt,
    kSfpuSilu,
    kSfpuErf,
    kSfpuErfc,
    kSfpuReluMax,    // max(min(x, param0), 0)
    kSfpuReluMin,    // max(x, param0)
    kSfpuPower,      // x ** param0
    kSfpuClamp,      // min(max(x, param0), param1)
    kSfpuUnaryMax,   // max(x, param0)
    kSfpuUnaryMin,   // min(x, param0)
    kSfpuRpow,       // param0 ** x
    kSfpuRdiv,       // param0 / x
    kSfpuAddScalar,  // x + param0
    kSfpuSubScalar,  // x - param0
    kSfpuMulScalar,  // x * param0
    kSfpuDivScalar,  // x / param0
    kSfpuRsubScalar, // param0 - x
    kSfpuSin,
    kSfpuCos,
    kSfpuTan,
    kSfpuGeluTanh,
    kSfpuLeakyRelu,  // x < 0 ? param0 * x : x
    kSfpuHeaviside,  // x < 0 ? 0 : (x > 0 ? 1 : param0)
    kSfpuSign,
    kSfpuExpm1,
    kSfpuLogBase,    // log(x) * param0
    kSfpuSelu,       // param0 * (x > 0 ? x : param1 * (exp(x) - 1))
    kSfpuSoftplus,   // x * param0 > param2 ? x : param1 * log(1 + exp(param0 * x))  (param1 = 1/param0)
    kSfpuCbrt,
    kSfpuLog1p,
    kSfpuIdentity,
    kSfpuTypecast,   // round to DataFormat param1 (Float32 / Float16_b / Float16; param0 the source format)
};

// Element-wise SFPU ops on two DST tiles (api/compute/eltwise_binary_sfpu.h, binary_max_min.h).
enum SfpuBinaryOp : std::uint32_t {
    kSfpuBinAdd = 0,
    kSfpuBinSub,
    kSfpuBinRsub,
    kSfpuBinMul,
    kSfpuBinDiv,
    kSfpuBinPow,
    kSfpuBinMax,
    kSfpuBinMin,
    kSfpuBinEq,
    kSfpuBinNe,
    kSfpuBinLt,
    kSfpuBinGt,
    kSfpuBinLe,
    kSfpuBinGe,
    kSfpuBinAtan2,      // atan2(a, b)
    kSfpuBinFmod,       // fmod(a, b) (sign of a)
    kSfpuBinRemainder,  // a - floor(a / b) * b (sign of b)
    kSfpuBinXlogy,      // a * log(b), 0 where a == 0
    kSfpuBinNextafter,  // the float after a towards b
    kSfpuBinMask,       // b == 0 ? 0 : a
};

// Element-wise SFPU ops on three DST tiles (api/compute/eltwise_unary/where.h).
enum SfpuTernaryOp : std::uint32_t {
    kSfpuTernWhere = 0,  // a != 0 ? b : c
};

struct KernelApi {
    std::uint32_t abi_version;
    // runtime arguments (return L1 addresses of the argument words; bounds-checked)
    std::uint32_t (*arg_addr)(int idx);
    std::uint32_t (*common_arg_addr)(int idx);
    // circular buffers
    void (*cb_reserve_back)(std::int32_t cb, std::int32_t n);
    void (*cb_push_back)(std::int32_t cb, std::int32_t n);
    void (*cb_wait_front)(std::int32_t cb, std::int32_t n);
    void (*cb_pop_front)(std::int32_t cb, std::int32_t n);
    bool (*cb_pages_reservable_at_back)(std::int32_t cb, std::int32_t n);
    bool (*cb_pages_available_at_front)(std::int32_t cb, std::int32_t n);
    std::uint32_t (*get_write_ptr)(std::int32_t cb);
    std::uint32_t (*get_read_ptr)(std::int32_t cb);
    std::uint32_t (*cb_page_size)(std::int32_t cb);
    std::uint32_t (*cb_num_pages)(std::int32_t cb);
    // NOC
    void (*noc_read)(std::uint64_t src_noc_addr, std::uint32_t dst_l1, std::uint32_t size);
    void (*noc_write)(std::uint32_t src_l1, std::uint64_t dst_noc_addr, std::uint32_t size);
    void (*noc_read_barrier)();
    void (*noc_write_barrier)();
    void (*noc_writes_flushed)();
    std::uint64_t (*local_noc_addr)(std::uint32_t x, std::uint32_t y, std::uint32_t l1_addr);
    std::uint32_t (*my_noc_xy)();  // (y << 16) | x, NOC (virtual) coordinates
    std::uint32_t (*my_logical_xy)();  // (y << 16) | x, logical coordinates
    // semaphores / raw L1
    std::uint32_t (*semaphore_addr)(std::uint32_t id);
    void (*yield_hint)();  // called by polling loops so the scheduler can run other executors
    // compute
    void (*compute)(std::uint32_t op, std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d,
                    std::uint32_t e, float f);
    // diagnostics
    [[noreturn]] void (*fail)(const char* message);
    // NOC writes with options (multicast, semaphore writes): flags are NocWriteFlags | (noc << 8)
    void (*noc_write_ex)(std::uint32_t src_l1, std::uint64_t dst_noc_addr, std::uint32_t size, std::uint32_t num_dests,
                         std::uint32_t flags);
    // NOC atomic increment of a semaphore word (unicast, or multicast with kNocMcast)
    void (*noc_atomic_inc)(std::uint64_t dst_noc_addr, std::uint32_t incr, std::uint32_t num_dests, std::uint32_t flags);
    void (*noc_atomic_barrier)();
    // semaphores in this core's L1: set (a local store), wait until == val (min=0) or >= val (min=1)
    void (*semaphore_set)(std::uint32_t l1_addr, std::uint32_t val);
    void (*semaphore_wait)(std::uint32_t l1_addr, std::uint32_t val, std::uint32_t min);
    // NOC address of an offset in a DRAM bank (dram=1) or an L1 bank (a worker core's L1, dram=0)
    std::uint64_t (*bank_noc_addr)(std::uint32_t dram, std::uint32_t bank_id, std::uint32_t offset);
    // DEVICE_PRINT / DPRINT: one formatted message of this executor
    void (*device_print)(const char* text);
    // this processor's record of a CB (get_local_cb_interface): refreshed on every call; a kernel that
    // assigns fifo_rd_ptr / fifo_wr_ptr moves this processor's FIFO pointer (applied at its next CB call)
    LocalCBInterface* (*local_cb_interface)(std::int32_t cb);
};

// Flags of KernelApi::noc_write_ex / noc_atomic_inc.
enum NocWriteFlags : std::uint32_t {
    kNocMcast = 1u << 0,      // the address is a multicast rectangle (get_noc_multicast_addr)
    kNocLoopback = 1u << 1,   // multicast also writes the sender (the _loopback_src variants)
    kNocSemaphore = 1u << 2,  // a semaphore write (noc_semaphore_set_remote / _multicast): counted as a semaphore op
};

// Layout of the NOC addresses the mock hands out: like the hardware, the upper bits carry the
// endpoint's (x, y) NOC coordinates, the lower 36 bits the address inside the endpoint.
inline constexpr unsigned kNocAddrLocalBits = 36;
inline constexpr unsigned kNocAddrNodeIdBits = 6;
inline constexpr std::uint64_t noc_xy_addr(std::uint32_t x, std::uint32_t y, std::uint64_t addr) {
    return (static_cast<std::uint64_t>(y) << (kNocAddrLocalBits + kNocAddrNodeIdBits)) |
           (static_cast<std::uint64_t>(x) << kNocAddrLocalBits) | addr;
}

// A multicast rectangle as the hardware encodes it: the end corner in the unicast (x, y) fields, the
// start corner in the next 12 bits.
inline constexpr std::uint64_t noc_mcast_addr(std::uint32_t x_start, std::uint32_t y_start, std::uint32_t x_end,
                                              std::uint32_t y_end, std::uint64_t addr) {
    return noc_xy_addr(x_end, y_end, addr) |
           (static_cast<std::uint64_t>(x_start) << (kNocAddrLocalBits + 2 * kNocAddrNodeIdBits)) |
           (static_cast<std::uint64_t>(y_start) << (kNocAddrLocalBits + 3 * kNocAddrNodeIdBits));
}

// Geometry of the devices the mock models. The runtime picks one when a device is opened
// (TT_MOCK_ARCH, else the architecture the runtime was built for); a kernel is compiled for it
// (ARCH_WORMHOLE or ARCH_BLACKHOLE, as tt-metal's JIT defines them).
struct ArchGeometry {
    std::uint32_t grid_x, grid_y;   // compute-with-storage grid (logical Tensix cores)
    std::uint32_t num_dram_banks;   // interleaved DRAM banks
    std::uint64_t dram_bank_size;   // bytes per DRAM bank
    std::uint32_t dram_alignment;   // page alignment of DRAM buffers
    std::uint32_t l1_alignment;     // page alignment of L1 buffers
    std::uint32_t l1_size;          // bytes of L1 per Tensix core
    std::uint32_t num_cbs;          // circular buffers per core
};
// Wormhole n150: 8x8 cores, 12 DRAM banks of 1 GiB, 1464 KiB of L1 per core, 32 CBs.
inline constexpr ArchGeometry kWormholeB0{8, 8, 12, 1ull << 30, 32, 16, 1464 * 1024, 32};
// Blackhole p150: 13x10 cores, 8 DRAM banks of 4080 MiB, 1536 KiB of L1 per core, 64 CBs.
inline constexpr ArchGeometry kBlackhole{13, 10, 8, 4080ull << 20, 64, 16, 1536 * 1024, 64};
inline constexpr std::uint32_t kMaxCores = 13 * 10;  // the largest grid above
inline constexpr std::uint32_t kMaxCBs = 64;         // the most CBs above
// NOC coordinates: DRAM bank b sits at (b, 0); Tensix core (lx, ly) at (lx + 18, ly + 18).
inline constexpr std::uint32_t kWorkerNocOffset = 18;

}  // namespace tt_mock

// Defined (hidden) in every kernel .so by tt_mock/kernel_glue.h.
namespace tt_mock {
extern thread_local const KernelApi* g_api;
}
