// Host program that runs ttnn's own 2-D multicast matmul kernels (from the ttnn 0.81 wheel, unmodified)
// the way ttnn's 2-D multicast program factory (MatmulMultiCoreReuseMcast2DProgramFactory, interleaved
// DRAM operands, optionally a fused row-broadcast bias, no fused activation, no transpose_mcast) sets them up: the same kernel files,
// processors and NOCs, compile-time args, named compile-time args, defines, circular buffers,
// semaphores, core roles and runtime args. Written against the TT-Metalium host API only.
//
//   ttnn_mcast_host <grid_x> <grid_y> <M> <K> <N> <in0_block_w> <out_subblock_h> <out_subblock_w>
//                   <LoFi|HiFi2|HiFi3|HiFi4> <fp32_dest_acc 0|1> <packer_l1_acc 0|1> <a.bin> <b.bin> <bias.bin|->
//                   <out.bin>
//
// a.bin is M x K, b.bin K x N, bias.bin N values (added to every row: ttnn's FUSE_BIAS with a [1, N] bias,
// stored as a 32 x N tile row whose first row holds it; - for none), out.bin M x N (row-major bf16);
// M, K, N multiples of 32. The program
// config is the one ttnn derives for an interleaved 2-D multicast matmul on a grid_x x grid_y grid:
// per_core_M = ceil(Mt / grid_y), per_core_N = ceil(Nt / grid_x), out_block = per_core; the caller picks
// in0_block_w and the output sub-block. Core (x, y) computes output block (row y, column x); the left
// column reads A (reader_bmm_tile_layout_in0_sender_padding.cpp) and multicasts it along its row, the
// top row reads B and multicasts it down its column (reader_bmm_tile_layout_in1_sender_writer_padding.cpp,
// which also writes its core's output), every other core receives (…_in0_receiver.cpp,
// …_in1_receiver_writer_padding.cpp); every core computes with bmm_large_block_zm_fused_bias_activation.cpp.
//
// Kernel paths are relative to the tt-metal root, as in ttnn: run with TT_METAL_HOME at the wheel's ttnn/.
// Errors are printed to stderr, exit code 2.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/constants.hpp>
#include <tt-metalium/core_coord.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <tt-metalium/tilize_utils.hpp>
#include <tt-metalium/work_split.hpp>

#include "bf16_file_io.hpp"

using namespace tt;
using namespace tt::constants;
using namespace tt::tt_metal;

namespace {

constexpr const char* kKernelDir = "ttnn/cpp/ttnn/operations/matmul/device/kernels/";
// ttnn's factory double-buffers the in0 / in1 CBs when there is more than one K block
// (operations::matmul::utilities::MCAST_INPUT_BUFFERING_DEPTH).
constexpr uint32_t kInputBufferingDepth = 2;
// hostdevcommon/common_values.hpp: the semaphores start INVALID
constexpr uint32_t kInvalid = 0;

using test_io::load;
using test_io::save;

std::shared_ptr<distributed::MeshBuffer> dram_tiles(distributed::MeshDevice* device, uint32_t num_tiles) {
    const uint32_t tile_size = tt::tile_size(tt::DataFormat::Float16_b);
    distributed::DeviceLocalBufferConfig local{.page_size = tile_size, .buffer_type = BufferType::DRAM};
    distributed::ReplicatedBufferConfig global{.size = tile_size * num_tiles};
    return distributed::MeshBuffer::create(global, local, device);
}

MathFidelity fidelity_of(const std::string& name) {
    if (name == "LoFi") return MathFidelity::LoFi;
    if (name == "HiFi2") return MathFidelity::HiFi2;
    if (name == "HiFi3") return MathFidelity::HiFi3;
    if (name == "HiFi4") return MathFidelity::HiFi4;
    throw std::runtime_error("unknown math fidelity " + name + " (LoFi, HiFi2, HiFi3 or HiFi4)");
}

uint32_t div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

void matmul_2d_mcast(distributed::MeshDevice& device, const CoreCoord grid, char** argv) {
    const uint32_t M_ = std::stoul(argv[0]), K_ = std::stoul(argv[1]), N_ = std::stoul(argv[2]);
    const uint32_t in0_block_w = std::stoul(argv[3]);
    const uint32_t out_subblock_h = std::stoul(argv[4]), out_subblock_w = std::stoul(argv[5]);
    const MathFidelity math_fidelity = fidelity_of(argv[6]);
    const bool fp32_dest_acc_en = std::stoul(argv[7]) != 0;
    const bool packer_l1_acc = std::stoul(argv[8]) != 0;
    if (M_ % TILE_HEIGHT || K_ % TILE_WIDTH || N_ % TILE_WIDTH) {
        throw std::runtime_error("M, K and N must be multiples of 32");
    }
    // the factory's sizes are in tiles
    const uint32_t M = M_ / TILE_HEIGHT, K = K_ / TILE_WIDTH, N = N_ / TILE_WIDTH, B = 1;
    const bool bcast_batch = true;
    if (in0_block_w == 0 || K % in0_block_w != 0) throw std::runtime_error("in0_block_w must divide K / 32");
    const uint32_t per_core_M = div_up(M, grid.y), per_core_N = div_up(N, grid.x);
    const uint32_t out_block_h = per_core_M, out_block_w = per_core_N;
    if (out_subblock_h == 0 || out_subblock_w == 0 || out_block_h % out_subblock_h || out_block_w % out_subblock_w) {
        throw std::runtime_error("out_block_h must be multiple of out_subblock_h and out_block_w of out_subblock_w");
    }
    if (out_subblock_h * out_subblock_w > (fp32_dest_acc_en ? 4u : 8u)) {
        throw std::runtime_error("the output sub-block must fit DST (8 tiles, 4 with fp32 accumulation)");
    }

    distributed::MeshCommandQueue& cq = device.mesh_command_queue();
    auto in0_buffer = dram_tiles(&device, M * K);
    auto in1_buffer = dram_tiles(&device, K * N);
    auto out_buffer = dram_tiles(&device, M * N);
    distributed::EnqueueWriteMeshBuffer(cq, in0_buffer, tilize_nfaces(load(argv[9], M_ * K_), M_, K_), false);
    distributed::EnqueueWriteMeshBuffer(cq, in1_buffer, tilize_nfaces(load(argv[10], K_ * N_), K_, N_), false);
    const bool fuse_bias = std::string(argv[11]) != "-";
    std::shared_ptr<distributed::MeshBuffer> bias_buffer;
    if (fuse_bias) {
        std::vector<bfloat16> rows(TILE_HEIGHT * N_, bfloat16(0.0f));
        const std::vector<bfloat16> bias = load(argv[11], N_);
        std::copy(bias.begin(), bias.end(), rows.begin());
        bias_buffer = dram_tiles(&device, N);
        distributed::EnqueueWriteMeshBuffer(cq, bias_buffer, tilize_nfaces(rows, TILE_HEIGHT, N_), false);
    }

    Program program = CreateProgram();
    const tt::DataFormat data_format = tt::DataFormat::Float16_b;
    const uint32_t num_blocks = K / in0_block_w;
    // packer L1 accumulation only pays with more than 2 K blocks (more than 1 with a bias, whose add
    // reads the partials from L1 anyway)
    const bool packer_l1_acc_en = packer_l1_acc && ((fuse_bias && num_blocks > 1) || num_blocks > 2);
    const tt::DataFormat interm0_data_format =
        packer_l1_acc_en ? (fp32_dest_acc_en ? tt::DataFormat::Float32 : tt::DataFormat::Float16_b)
                         : (fp32_dest_acc_en ? tt::DataFormat::Float32 : data_format);
    const uint32_t single_tile_size = tt::tile_size(data_format);
    const uint32_t interm0_single_tile_size = tt::tile_size(interm0_data_format);

    const uint32_t in0_block_h = out_block_h, in1_block_w = out_block_w;
    const uint32_t out_num_blocks_x = per_core_N / out_block_w, out_num_blocks_y = per_core_M / out_block_h;
    uint32_t in0_CB_tiles = out_block_h * in0_block_w, in1_CB_tiles = out_block_w * in0_block_w;
    if (B * num_blocks > 1) {
        in0_CB_tiles *= kInputBufferingDepth;
        in1_CB_tiles *= kInputBufferingDepth;
    }
    const uint32_t out_block_tiles = out_block_h * out_block_w;

    // ---- core roles -----------------------------------------------------------------------------------
    const uint32_t num_blocks_y = div_up(M, per_core_M), num_blocks_x = div_up(N, per_core_N);
    const uint32_t num_cores_c = num_blocks_x, num_cores_r = num_blocks_y;
    const CoreRange all_cores({0, 0}, {num_cores_c - 1, num_cores_r - 1});
    const std::vector<CoreCoord> cores = grid_to_cores(all_cores.start_coord, all_cores.end_coord, true);
    const CoreRange in0_sender({0, 0}, {0, num_cores_r - 1});    // left column
    const CoreRange in1_sender({0, 0}, {num_cores_c - 1, 0});    // top row
    std::optional<CoreRange> in0_sender_in1_receiver, in0_receiver_in1_sender, in0_receiver_in1_receiver_left_half,
        in0_receiver_in1_receiver_other_cores;
    if (num_cores_r > 1) in0_sender_in1_receiver = CoreRange({0, 1}, {0, num_cores_r - 1});
    if (num_cores_c > 1) in0_receiver_in1_sender = CoreRange({1, 0}, {num_cores_c - 1, 0});
    // receivers split in two halves that use the two NOCs the other way round
    const bool split_half = num_cores_c > 2 && num_cores_r > 1;
    const uint32_t half_core = split_half ? num_cores_c / 2 : num_cores_c - 1;
    if (num_cores_c > 1 && num_cores_r > 1) {
        in0_receiver_in1_receiver_left_half = CoreRange({1, 1}, {half_core, num_cores_r - 1});
    }
    if (split_half) in0_receiver_in1_receiver_other_cores = CoreRange({half_core + 1, 1}, {num_cores_c - 1, num_cores_r - 1});
    std::set<CoreRange> in0_receiver_set, in1_receiver_set;
    if (in0_receiver_in1_sender) in0_receiver_set.insert(*in0_receiver_in1_sender);
    if (in0_sender_in1_receiver) in1_receiver_set.insert(*in0_sender_in1_receiver);
    if (in0_receiver_in1_receiver_left_half) {
        in0_receiver_set.insert(*in0_receiver_in1_receiver_left_half);
        in1_receiver_set.insert(*in0_receiver_in1_receiver_left_half);
    }
    const CoreRangeSet in0_receiver(in0_receiver_set), in1_receiver(in1_receiver_set);

    const uint32_t in0_sender_sem = CreateSemaphore(program, all_cores, kInvalid);
    const uint32_t in0_receiver_sem = CreateSemaphore(program, all_cores, kInvalid);
    const uint32_t in1_sender_sem = CreateSemaphore(program, all_cores, kInvalid);
    const uint32_t in1_receiver_sem = CreateSemaphore(program, all_cores, kInvalid);

    // ---- compile-time args -----------------------------------------------------------------------------
    const uint32_t in0_num_subblocks = out_block_h / out_subblock_h;
    const uint32_t in0_block_num_tiles = out_subblock_h * in0_block_w * in0_num_subblocks;
    const uint32_t in0_tensor_stride_w = 1, in0_tensor_stride_h = K;
    const uint32_t in1_tensor_stride_w = 1, in1_tensor_stride_h = N;

    std::vector<uint32_t> in0_sender_args = {
        in0_tensor_stride_w, in0_tensor_stride_h, in0_block_w * in0_tensor_stride_w,  // next inner-dim block
        in0_block_h * in0_tensor_stride_h,                                            // next h-dim block
        in0_block_w, in0_block_h, in0_block_num_tiles,
        0, 0,           // in0_last_ktile_w, in0_last_ktile_h: K is a multiple of 32
        0, 0, 0,        // extract_shard_sub_blocks, shard width / height (interleaved)
        num_blocks, out_num_blocks_x, out_num_blocks_y,
        in0_sender_sem, in0_receiver_sem,
        num_blocks_x - 1, num_blocks_x - 1,  // in0_mcast_num_dests, in0_mcast_num_cores
        M * K, B, B,    // MtKt, batch of in0, batch of in1
        0,              // reuse in0 in CB
        0, 0,           // sparsity: batchB, page size
        1,              // bcast_A
        0,              // get_batch_from_reader
        0,              // fuse_op (all-gather)
    };
    TensorAccessorArgs(*in0_buffer).append_to(in0_sender_args);
    TensorAccessorArgs().append_to(in0_sender_args);  // sparsity placeholder
    in0_sender_args.push_back(B);                     // num_batch_compute

    std::vector<uint32_t> in1_sender_writer_args = {
        in1_tensor_stride_w, in1_tensor_stride_h, in0_block_w * in1_tensor_stride_h,  // next inner-dim block
        in1_block_w * in1_tensor_stride_w,                                            // next w-dim block
        in1_block_w, in0_block_w, in1_block_w * in0_block_w,
        num_blocks, out_num_blocks_x, out_num_blocks_y,
        in1_sender_sem, in1_receiver_sem,
        num_blocks_y - 1, num_blocks_y - 1,  // in1_mcast_num_dests, in1_mcast_num_cores
        K * N, B, static_cast<uint32_t>(bcast_batch),
        0, 0,  // sparsity: batchB, page size
        // writer
        1, N, out_subblock_w, out_subblock_h * N, out_block_w, out_block_h * N,
        out_subblock_w, out_subblock_h, out_subblock_w * out_subblock_h,
        M * N,                                // MtNt
        static_cast<uint32_t>(fuse_bias ? 1 : 0),  // in3 (bias) tensor stride w
        0, 0,   // fused all-gather, fused reduce-scatter
        0,      // compact_output
    };
    TensorAccessorArgs(*in1_buffer).append_to(in1_sender_writer_args);
    TensorAccessorArgs().append_to(in1_sender_writer_args);  // sparsity placeholder
    TensorAccessorArgs(*out_buffer).append_to(in1_sender_writer_args);
    if (fuse_bias) TensorAccessorArgs(*bias_buffer).append_to(in1_sender_writer_args);

    const std::vector<uint32_t> in0_receiver_args = {
        in0_block_w * in0_block_h, num_blocks, out_num_blocks_x, out_num_blocks_y, in0_sender_sem, in0_receiver_sem,
        B, 0 /* get_batch_from_reader */};
    std::vector<uint32_t> in1_receiver_writer_args = {
        in1_block_w * in0_block_w, num_blocks, out_num_blocks_x, out_num_blocks_y, in1_sender_sem, in1_receiver_sem, B,
        1, N, out_subblock_w, out_subblock_h * N, out_block_w, out_block_h * N,
        out_subblock_w, out_subblock_h, out_subblock_w * out_subblock_h,
        M * N,
        fuse_bias ? in1_block_w : 0,  // in3 (bias) block width
        0,  // fused reduce-scatter
    };
    TensorAccessorArgs(*out_buffer).append_to(in1_receiver_writer_args);

    std::map<std::string, std::string> mm_kernel_defines, in0_sender_defines, in1_sender_writer_defines,
        in1_receiver_writer_defines;
    if (fuse_bias) {
        mm_kernel_defines["FUSE_BIAS"] = "1";
        in1_sender_writer_defines["FUSE_BIAS"] = "1";
        in1_receiver_writer_defines["FUSE_BIAS"] = "1";
    }
    if (packer_l1_acc_en) mm_kernel_defines["PACKER_L1_ACC"] = "1";
    if (fp32_dest_acc_en) mm_kernel_defines["FP32_DEST_ACC_EN"] = "1";
    if (in0_receiver.num_cores() == 0) in0_sender_defines["SKIP_MCAST"] = "1";
    if (in1_receiver.num_cores() == 0) in1_sender_writer_defines["SKIP_MCAST"] = "1";

    // in0 goes over the NOC preferred for DRAM writes (NOC 1), in1 over the one for DRAM reads (NOC 0);
    // the right half of the receivers the other way round
    const NOC in0_noc = NOC::NOC_1, in1_noc = NOC::NOC_0, in0_split_noc = NOC::NOC_0, in1_split_noc = NOC::NOC_1;
    const std::string dir = kKernelDir;

    const KernelHandle in0_sender_id = CreateKernel(
        program, dir + "dataflow/reader_bmm_tile_layout_in0_sender_padding.cpp", in0_sender,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = in0_noc, .compile_args = in0_sender_args,
                           .defines = in0_sender_defines,
                           .named_compile_args = {{"cb_in0", tt::CBIndex::c_0}, {"cb_in0_sharded", tt::CBIndex::c_2},
                                                  {"cb_sparsity", tt::CBIndex::c_6},
                                                  {"cb_in0_intermediate", tt::CBIndex::c_8}, {"num_active", 0}}});
    const KernelHandle in1_sender_id = CreateKernel(
        program, dir + "dataflow/reader_bmm_tile_layout_in1_sender_writer_padding.cpp", in1_sender,
        DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = in1_noc,
                           .compile_args = in1_sender_writer_args, .defines = in1_sender_writer_defines,
                           .named_compile_args = {{"cb_in1", tt::CBIndex::c_1}, {"cb_bias", tt::CBIndex::c_3},
                                                  {"cb_out", tt::CBIndex::c_4}, {"cb_sparsity", tt::CBIndex::c_7},
                                                  {"cb_in1_intermediate", tt::CBIndex::c_9}, {"num_active", 0}}});
    const std::unordered_map<std::string, uint32_t> in1_receiver_named = {
        {"cb_in1", tt::CBIndex::c_1}, {"cb_bias", tt::CBIndex::c_3}, {"cb_out", tt::CBIndex::c_4}};
    const std::unordered_map<std::string, uint32_t> in0_receiver_named = {{"cb_in0", tt::CBIndex::c_0}};
    KernelHandle in1_receiver_id = 0, in0_receiver_id = 0;
    if (in1_receiver.num_cores() > 0) {
        in1_receiver_id = CreateKernel(
            program, dir + "dataflow/reader_bmm_tile_layout_in1_receiver_writer_padding.cpp", in1_receiver,
            DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = in1_noc,
                               .compile_args = in1_receiver_writer_args, .defines = in1_receiver_writer_defines,
                               .named_compile_args = in1_receiver_named});
    }
    if (in0_receiver.num_cores() > 0) {
        in0_receiver_id = CreateKernel(
            program, dir + "dataflow/reader_bmm_tile_layout_in0_receiver.cpp", in0_receiver,
            DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = in0_noc,
                               .compile_args = in0_receiver_args, .named_compile_args = in0_receiver_named});
    }
    KernelHandle in1_receiver_other_id = in1_receiver_id, in0_receiver_other_id = in0_receiver_id;
    if (in0_receiver_in1_receiver_other_cores) {
        in1_receiver_other_id = CreateKernel(
            program, dir + "dataflow/reader_bmm_tile_layout_in1_receiver_writer_padding.cpp",
            *in0_receiver_in1_receiver_other_cores,
            DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = in1_split_noc,
                               .compile_args = in1_receiver_writer_args, .defines = in1_receiver_writer_defines,
                               .named_compile_args = in1_receiver_named});
        in0_receiver_other_id = CreateKernel(
            program, dir + "dataflow/reader_bmm_tile_layout_in0_receiver.cpp", *in0_receiver_in1_receiver_other_cores,
            DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = in0_split_noc,
                               .compile_args = in0_receiver_args, .named_compile_args = in0_receiver_named});
    }

    const uint32_t in1_num_subblocks = out_block_w / out_subblock_w;
    std::vector<uint32_t> compute_args = {
        in0_block_w, in0_num_subblocks, in0_block_num_tiles, out_subblock_h * in0_block_w,
        in1_num_subblocks, out_subblock_w * in0_block_w * in1_num_subblocks, out_subblock_w * in1_num_subblocks,
        num_blocks, out_num_blocks_x, out_num_blocks_y,
        out_subblock_h, out_subblock_w, out_subblock_h * out_subblock_w, B, out_block_tiles,
        0,  // untilize_out
        0,  // get_batch_from_reader
        0,  // in0_transpose_tile
    };
    std::unordered_map<std::string, uint32_t> compute_named = {
        {"cb_in0", tt::CBIndex::c_0}, {"cb_in1", tt::CBIndex::c_1}, {"cb_bias", tt::CBIndex::c_3},
        {"cb_out", tt::CBIndex::c_4}, {"cb_intermed0", tt::CBIndex::c_5}, {"cb_in0_intermediate", tt::CBIndex::c_8},
        {"cb_in1_intermediate", tt::CBIndex::c_9}, {"cb_in0_transposed", tt::CBIndex::c_10}};
    if (fuse_bias) {
        compute_args.push_back(1);               // row_broadcast_bias: a [1, N] bias
        compute_named["bias_ntiles"] = in1_block_w;  // the bias tiles the reader pushes per output block
    }
    CreateKernel(program, dir + "compute/bmm_large_block_zm_fused_bias_activation.cpp", all_cores,
                 ComputeConfig{.math_fidelity = math_fidelity, .fp32_dest_acc_en = fp32_dest_acc_en,
                               .math_approx_mode = false, .compile_args = compute_args, .defines = mm_kernel_defines,
                               .named_compile_args = compute_named});

    // ---- circular buffers -----------------------------------------------------------------------------
    const uint32_t src0 = tt::CBIndex::c_0, src1 = tt::CBIndex::c_1, out_cb = tt::CBIndex::c_4, interm0 = tt::CBIndex::c_5;
    CreateCircularBuffer(program, all_cores,
                         CircularBufferConfig(in0_CB_tiles * single_tile_size, {{static_cast<uint8_t>(src0), data_format}})
                             .set_page_size(src0, single_tile_size));
    CreateCircularBuffer(program, all_cores,
                         CircularBufferConfig(in1_CB_tiles * single_tile_size, {{static_cast<uint8_t>(src1), data_format}})
                             .set_page_size(src1, single_tile_size));
    if (interm0_data_format != data_format) {
        CreateCircularBuffer(program, all_cores,
                             CircularBufferConfig(out_block_tiles * interm0_single_tile_size,
                                                  {{static_cast<uint8_t>(interm0), interm0_data_format}})
                                 .set_page_size(interm0, interm0_single_tile_size));
        CreateCircularBuffer(program, all_cores,
                             CircularBufferConfig(out_block_tiles * single_tile_size,
                                                  {{static_cast<uint8_t>(out_cb), data_format}})
                                 .set_page_size(out_cb, single_tile_size));
    } else {  // the output and the partials share one buffer
        CreateCircularBuffer(program, all_cores,
                             CircularBufferConfig(out_block_tiles * single_tile_size,
                                                  {{static_cast<uint8_t>(out_cb), data_format},
                                                   {static_cast<uint8_t>(interm0), interm0_data_format}})
                                 .set_page_size(out_cb, single_tile_size)
                                 .set_page_size(interm0, interm0_single_tile_size));
    }

    if (fuse_bias) {  // one block row of bias tiles, not double-buffered
        const uint32_t src3 = tt::CBIndex::c_3;
        CreateCircularBuffer(program, all_cores,
                             CircularBufferConfig(out_block_w * single_tile_size, {{static_cast<uint8_t>(src3), data_format}})
                                 .set_page_size(src3, single_tile_size));
    }

    // ---- runtime args (parameters of the last row / column of blocks) ----------------------------------
    const uint32_t last_per_core_M = M % per_core_M == 0 ? per_core_M : M % per_core_M;
    const uint32_t last_per_core_N = N % per_core_N == 0 ? per_core_N : N % per_core_N;
    const uint32_t last_out_block_h = last_per_core_M % out_block_h == 0 ? out_block_h : last_per_core_M % out_block_h;
    const uint32_t last_out_block_w = last_per_core_N % out_block_w == 0 ? out_block_w : last_per_core_N % out_block_w;
    const uint32_t last_out_num_blocks_h = (last_per_core_M - 1) / out_block_h + 1;
    const uint32_t last_out_num_blocks_w = (last_per_core_N - 1) / out_block_w + 1;
    const uint32_t last_nonzero_subblocks_h = (last_out_block_h - 1) / out_subblock_h + 1;
    const uint32_t last_nonzero_subblocks_w = (last_out_block_w - 1) / out_subblock_w + 1;
    const uint32_t last_subblock_h =
        last_out_block_h % out_subblock_h == 0 ? out_subblock_h : last_out_block_h % out_subblock_h;
    const uint32_t last_subblock_w =
        last_out_block_w % out_subblock_w == 0 ? out_subblock_w : last_out_block_w % out_subblock_w;
    const uint32_t padded_subblock_tiles_addr_skip = single_tile_size * (out_subblock_w - last_subblock_w);
    const uint32_t padded_block_tiles_w_skip =
        (out_subblock_w * out_subblock_h) * (out_block_w / out_subblock_w - last_nonzero_subblocks_w);
    const uint32_t padded_block_tiles_h_skip =
        (out_block_h / out_subblock_h - last_nonzero_subblocks_h) * (out_block_w * out_subblock_h);
    const uint32_t in0_end_idx = num_blocks_y - 1, in1_end_idx = num_blocks_x - 1;

    for (const CoreCoord& core : cores) {
        const CoreCoord left = device.worker_core_from_logical_core({0, core.y});
        const CoreCoord left_plus_one = device.worker_core_from_logical_core({1, core.y});
        const CoreCoord right = device.worker_core_from_logical_core({num_cores_c - 1, core.y});
        const CoreCoord top = device.worker_core_from_logical_core({core.x, 0});
        const CoreCoord top_plus_one = device.worker_core_from_logical_core({core.x, 1});
        const CoreCoord bottom = device.worker_core_from_logical_core({core.x, num_cores_r - 1});
        const uint32_t in0_idx = core.y, in1_idx = core.x;
        // multicast rectangles in the corner order of their NOC: in0 on NOC 1 (start is the far corner),
        // in1 on NOC 0 (start is the near corner)
        const CoreCoord in0_mcast_start = right, in0_mcast_end = left_plus_one;
        const CoreCoord in1_mcast_start = top_plus_one, in1_mcast_end = bottom;
        const uint32_t out_start_tile = in1_idx * per_core_N + in0_idx * per_core_M * N;
        const bool right_half = !(core.x <= half_core || core.y == 0);

        if (in1_idx == 0) {
            SetRuntimeArgs(program, in0_sender_id, core,
                           {static_cast<uint32_t>(in0_buffer->address()), per_core_M * in0_tensor_stride_h * in0_idx,
                            static_cast<uint32_t>(in0_mcast_start.x), static_cast<uint32_t>(in0_mcast_start.y),
                            static_cast<uint32_t>(in0_mcast_end.x), static_cast<uint32_t>(in0_mcast_end.y),
                            in0_idx == in0_end_idx ? last_out_block_h : out_block_h,
                            0 /* sparsity_addr */});
        } else {
            SetRuntimeArgs(program, right_half ? in0_receiver_other_id : in0_receiver_id, core,
                           {static_cast<uint32_t>(left.x), static_cast<uint32_t>(left.y)});
        }

        const bool last_col = in1_idx == in1_end_idx, last_row = in0_idx == in0_end_idx;
        if (in0_idx == 0) {
            std::vector<uint32_t> args = {
                static_cast<uint32_t>(in1_buffer->address()), per_core_N * in1_tensor_stride_w * in1_idx,
                static_cast<uint32_t>(in1_mcast_start.x), static_cast<uint32_t>(in1_mcast_start.y),
                static_cast<uint32_t>(in1_mcast_end.x), static_cast<uint32_t>(in1_mcast_end.y),
                0,  // sparsity_addr
                static_cast<uint32_t>(out_buffer->address()), out_start_tile,
                last_col ? last_out_block_w : out_block_w,
                out_block_h / out_subblock_h, out_subblock_h, 0,
                out_block_w / out_subblock_w,
                last_col ? last_nonzero_subblocks_w : out_block_w / out_subblock_w,
                last_col ? last_subblock_w : out_subblock_w,
                last_col ? padded_subblock_tiles_addr_skip : 0,
                last_col ? padded_block_tiles_w_skip : 0,
                fuse_bias ? static_cast<uint32_t>(bias_buffer->address()) : 0,  // bias address
                fuse_bias ? per_core_N * in1_idx : 0,                            // bias start tile
                last_col ? last_out_num_blocks_w : out_num_blocks_x,
            };
            SetRuntimeArgs(program, in1_sender_id, core, args);
        } else {
            std::vector<uint32_t> args = {
                static_cast<uint32_t>(top.x), static_cast<uint32_t>(top.y),
                static_cast<uint32_t>(out_buffer->address()), out_start_tile,
                out_block_h / out_subblock_h,
                last_row ? last_nonzero_subblocks_h : out_block_h / out_subblock_h,
                last_row ? last_subblock_h : out_subblock_h,
                last_row ? padded_block_tiles_h_skip : 0,
                out_block_w / out_subblock_w,
                last_col ? last_nonzero_subblocks_w : out_block_w / out_subblock_w,
                last_col ? last_subblock_w : out_subblock_w,
                last_col ? padded_subblock_tiles_addr_skip : 0,
                last_col ? padded_block_tiles_w_skip : 0,
                last_row ? last_out_num_blocks_h : out_num_blocks_y,
                last_col ? last_out_num_blocks_w : out_num_blocks_x,
            };
            SetRuntimeArgs(program, right_half ? in1_receiver_other_id : in1_receiver_id, core, args);
        }
    }

    distributed::MeshWorkload workload;
    workload.add_program(distributed::MeshCoordinateRange(device.shape()), std::move(program));
    distributed::EnqueueMeshWorkload(cq, workload, false);
    distributed::Finish(cq);
    std::vector<bfloat16> out;
    distributed::EnqueueReadMeshBuffer(cq, out, out_buffer, true);
    save(argv[12], untilize_nfaces(out, M_, N_));
}

int run(int argc, char** argv) {
    if (argc != 16) {
        throw std::runtime_error(
            "usage: ttnn_mcast_host <grid_x> <grid_y> <M> <K> <N> <in0_block_w> <out_subblock_h> <out_subblock_w> "
            "<LoFi|HiFi2|HiFi3|HiFi4> <fp32_dest_acc 0|1> <packer_l1_acc 0|1> <a.bin> <b.bin> <bias.bin|-> <out.bin>");
    }
    auto mesh_device = distributed::MeshDevice::create_unit_mesh(0);
    const CoreCoord device_grid = mesh_device->compute_with_storage_grid_size();
    const CoreCoord grid(std::stoul(argv[1]), std::stoul(argv[2]));
    if (grid.x < 1 || grid.y < 1 || grid.x > device_grid.x || grid.y > device_grid.y) {
        throw std::runtime_error("the grid must fit the device's " + std::to_string(device_grid.x) + "x" +
                                 std::to_string(device_grid.y) + " compute grid");
    }
    matmul_2d_mcast(*mesh_device, grid, argv + 3);
    mesh_device->close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return test_io::run_main(run, argc, argv); }
