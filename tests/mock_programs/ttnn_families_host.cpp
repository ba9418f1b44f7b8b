// Host program that runs ttnn's own kernels of the eltwise (unary SFPU, binary SFPU), reduction,
// normalization (softmax, layernorm) and data-movement (transpose, tilize, untilize) op families, unmodified from the ttnn 0.81 wheel, set up as ttnn's
// program factories set them up (kernel files, compile-time args, defines, circular buffers, runtime
// args). Metal 2.0 (ProgramSpec) kernels get their args:: / dfb:: / tensor:: names from the mock-only
// tt_mock::SetMetal2Bindings (tt-metalium/tt_mock_metal2.hpp; the mock has no ProgramSpec host API); where a
// mode uses a legacy ttnn data-movement kernel in place of the factory's Metal 2.0 one, it is named below.
// Otherwise written against the TT-Metalium host API only; single core; all tensors bf16.
//
//   ttnn_families_host unary <op> <rows> <cols> <in.bin> <out.bin>
//       compute eltwise/unary eltwise_sfpu.cpp with ttnn's SFPU_OP_CHAIN_0 defines (op: exp | sqrt | sigmoid),
//       eltwise/unary reader/writer_unary_interleaved_start_id.cpp.
//   ttnn_families_host binary_sfpu <op> <rows> <cols> <a.bin> <b.bin> <out.bin>
//       compute eltwise/binary eltwise_binary_sfpu_kernel.cpp with ttnn's BINOP_INIT / BINARY_SFPU_OP defines
//       (op: div | max | min | power), reader_binary_interleaved_start_id.cpp, unary writer.
//   ttnn_families_host transpose <batch> <rows> <cols> <in.bin> <out.bin>
//       compute transpose/transpose_wh.cpp, reader transpose/reader_unary_transpose_wh_interleaved.cpp (reads
//       each batch's tiles column by column), unary writer. out = in transposed in its last two dims.
//   ttnn_families_host tilize <rows> <cols> <in.bin> <out.bin>
//       compute tilize/tilize.cpp (kernel_lib tilize helper); the eltwise/unary reader moves the row-major
//       tensor as 2048-byte pages, so one 32-row block of Wt tiles arrives as Wt CB pages (as the stick reader
//       delivers it); the unary writer writes the tiles. out.bin is the tiled tensor (tile by tile, faces).
//   ttnn_families_host untilize <rows> <cols> <in.bin> <out.bin>
//       compute untilize/untilize.cpp (kernel_lib untilize helper), reader untilize/reader_unary_start_id.cpp;
//       the unary writer writes each 32-row block's Wt row-major pages contiguously. in.bin is tiled, out.bin
//       row-major.
//   ttnn_families_host reduce <sum|max> <w|h> <cores> <batch> <rows> <cols> <in.bin> <out.bin>
//       compute reduction/.../compute/reduce.cpp (a Metal 2.0 kernel: kernel_lib's reduce helper) with ttnn's
//       REDUCE_OP / REDUCE_DIM defines; reader (Metal 2.0) w: reduction/.../reader_unary_reduce_universal_start_id.cpp,
//       h: reduction/.../reader_unary_transpose_wh_universal_input_cols_partitioned.cpp; unary writer.
//       out.bin: w -> batch x rows x 32 (result in column 0), h -> batch x 32 x cols (result in row 0). Scaler 1.0.
//       The tile rows (w) / columns (h) of all batches are split over <cores> cores (x = 0..cores-1, y = 0), each
//       with its own runtime args, as the factories split them.
//   ttnn_families_host softmax <stable|plain> <rows> <cols> <in.bin> <out.bin>
//       softmax over the last dim: normalization/softmax/.../attention compute softmax.cpp, reader
//       reader_unary_interleaved_sm.cpp, writer writer_unary_interleaved_start_id_blocked_sm.cpp (all Metal 2.0);
//       stable: the NUMERIC_STABLE define (subtract the row max before exp).
//   ttnn_families_host layernorm <rows> <cols> <eps> <in.bin> <out.bin>
//       layernorm over the last dim without gamma / beta: normalization/layernorm/... compute layernorm.cpp,
//       reader reader_unary_interleaved_ln.cpp, writer writer_unary_interleaved_start_id_blocked.cpp (Metal 2.0).
//   ttnn_families_host bad_binding <args|dfb|compute_tensor> <name>
//       binds args::<name> / dfb::<name> of a writer, or tensor::<name> of a compute kernel, with
//       tt_mock::SetMetal2Bindings (for the errors of bindings the mock rejects).
//
// Errors are printed to stderr, exit code 2.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <tt-metalium/bfloat16.hpp>
#include <tt-metalium/constants.hpp>
#include <tt-metalium/core_coord.hpp>
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>
#include <tt-metalium/tilize_utils.hpp>
#include <tt-metalium/tt_mock_metal2.hpp>

#include "bf16_file_io.hpp"

using namespace tt;
using namespace tt::constants;
using namespace tt::tt_metal;

namespace {

const std::string kOps = "ttnn/cpp/ttnn/operations/";
const std::string kUnaryReader = kOps + "eltwise/unary/device/kernels/dataflow/reader_unary_interleaved_start_id.cpp";
const std::string kUnaryWriter = kOps + "eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp";

using test_io::load;
using test_io::save;

struct Session {
    std::shared_ptr<distributed::MeshDevice> device = distributed::MeshDevice::create_unit_mesh(0);
    distributed::MeshCommandQueue& cq = device->mesh_command_queue();
    const CoreCoord core{0, 0};

    std::shared_ptr<distributed::MeshBuffer> dram(uint32_t num_pages, const std::vector<bfloat16>* data = nullptr) {
        const uint32_t page = tt::tile_size(tt::DataFormat::Float16_b);
        distributed::DeviceLocalBufferConfig local{.page_size = page, .buffer_type = BufferType::DRAM};
        distributed::ReplicatedBufferConfig global{.size = page * num_pages};
        auto buffer = distributed::MeshBuffer::create(global, local, device.get());
        if (data != nullptr) distributed::EnqueueWriteMeshBuffer(cq, buffer, *data, false);
        return buffer;
    }

    void cb(Program& program, uint32_t index, uint32_t num_tiles) {
        const uint32_t page = tt::tile_size(tt::DataFormat::Float16_b);
        CreateCircularBuffer(program, core,
                             CircularBufferConfig(num_tiles * page, {{index, tt::DataFormat::Float16_b}})
                                 .set_page_size(index, page));
    }

    // the eltwise/unary reader (CB c_0) and writer (`out_cb`) moving `num_pages` pages from page 0
    void unary_reader(Program& program, const distributed::MeshBuffer& src, uint32_t num_pages) {
        std::vector<uint32_t> ct;
        TensorAccessorArgs(src).append_to(ct);
        auto id = CreateKernel(program, kUnaryReader, core, ReaderDataMovementConfig(ct));
        SetRuntimeArgs(program, id, core, {static_cast<uint32_t>(src.address()), num_pages, 0});
    }
    void unary_writer(Program& program, const distributed::MeshBuffer& dst, uint32_t out_cb, uint32_t num_pages) {
        std::vector<uint32_t> ct = {out_cb};
        TensorAccessorArgs(dst).append_to(ct);
        auto id = CreateKernel(program, kUnaryWriter, core, WriterDataMovementConfig(ct));
        SetRuntimeArgs(program, id, core, {static_cast<uint32_t>(dst.address()), num_pages, 0});
    }

    std::vector<bfloat16> run(Program&& program, const std::shared_ptr<distributed::MeshBuffer>& out) {
        distributed::MeshWorkload workload;
        workload.add_program(distributed::MeshCoordinateRange(device->shape()), std::move(program));
        distributed::EnqueueMeshWorkload(cq, workload, false);
        distributed::Finish(cq);
        std::vector<bfloat16> result;
        distributed::EnqueueReadMeshBuffer(cq, result, out, true);
        return result;
    }
};

// ---- eltwise unary (UnaryProgramFactory): SFPU_OP_CHAIN_0 as ttnn's get_block_defines builds it --------
std::map<std::string, std::string> unary_defines(const std::string& op) {
    std::map<std::string, std::string> d;
    if (op == "exp") {
        d["SFPU_OP_CHAIN_0_INIT_0"] = "exp_tile_init<false>();";
        d["SFPU_OP_CHAIN_0_FUNC_0"] = "exp_tile<false>(0);";
        d["SFPU_OP_EXP_INCLUDE"] = "1";
    } else if (op == "sqrt") {
        d["SFPU_OP_CHAIN_0_INIT_0"] = "sqrt_tile_init();";
        d["SFPU_OP_CHAIN_0_FUNC_0"] = "sqrt_tile(0);";
        d["SFPU_OP_SQRT_INCLUDE"] = "1";
    } else if (op == "sigmoid") {
        d["SFPU_OP_CHAIN_0_INIT_0"] = "sigmoid_tile_init();";
        d["SFPU_OP_CHAIN_0_FUNC_0"] = "sigmoid_tile(0);";
        d["SFPU_OP_COMPUTE_KERNEL_API_INCLUDE"] = "1";
    } else {
        throw std::runtime_error("unknown unary op " + op);
    }
    d["SFPU_OP_CHAIN_0"] = "SFPU_OP_CHAIN_0_INIT_0 SFPU_OP_CHAIN_0_FUNC_0";
    return d;
}

void unary(Session& s, char** argv) {
    const std::string op = argv[0];
    const uint32_t rows = std::stoul(argv[1]), cols = std::stoul(argv[2]), n = rows * cols / TILE_HW;
    const auto data = tilize_nfaces(load(argv[3], rows * cols), rows, cols);
    auto in = s.dram(n, &data);
    auto out = s.dram(n);
    Program program = CreateProgram();
    s.cb(program, tt::CBIndex::c_0, 2);
    s.cb(program, tt::CBIndex::c_2, 2);
    s.unary_reader(program, *in, n);
    s.unary_writer(program, *out, tt::CBIndex::c_2, n);
    auto compute = CreateKernel(program, kOps + "eltwise/unary/device/kernels/compute/eltwise_sfpu.cpp", s.core,
                                ComputeConfig{.math_approx_mode = false, .defines = unary_defines(op)});
    SetRuntimeArgs(program, compute, s.core, {n});
    save(argv[4], untilize_nfaces(s.run(std::move(program), out), rows, cols));
}

// ---- eltwise binary SFPU (ElementWiseMultiCoreSfpu): BINOP_INIT / BINARY_SFPU_OP as ttnn's get_defines_fp32 ---
std::map<std::string, std::string> binary_sfpu_defines(const std::string& op) {
    const std::map<std::string, std::string> name = {
        {"div", "div_binary_tile"}, {"max", "binary_max_tile"}, {"min", "binary_min_tile"}, {"power", "power_binary_tile"}};
    const auto it = name.find(op);
    if (it == name.end()) throw std::runtime_error("unknown binary SFPU op " + op);
    return {{"BINOP_INIT", it->second + "_init();"}, {"BINARY_SFPU_OP", it->second + "(i*2, i*2+1, i*2);"}};
}

void binary_sfpu(Session& s, char** argv) {
    const std::string op = argv[0];
    const uint32_t rows = std::stoul(argv[1]), cols = std::stoul(argv[2]), n = rows * cols / TILE_HW;
    const auto da = tilize_nfaces(load(argv[3], rows * cols), rows, cols);
    const auto db = tilize_nfaces(load(argv[4], rows * cols), rows, cols);
    auto a = s.dram(n, &da);
    auto b = s.dram(n, &db);
    auto out = s.dram(n);
    Program program = CreateProgram();
    const uint32_t block = 2;  // tiles per block (a sharded factory uses blocks > 1): DST holds 2 * block tiles
    s.cb(program, tt::CBIndex::c_0, 2 * block);
    s.cb(program, tt::CBIndex::c_1, 2 * block);
    s.cb(program, tt::CBIndex::c_2, 2 * block);
    std::vector<uint32_t> reader_ct = {0};  // block_or_width_sharded
    TensorAccessorArgs(*a).append_to(reader_ct);
    TensorAccessorArgs(*b).append_to(reader_ct);
    auto reader = CreateKernel(program, kOps + "eltwise/binary/device/kernels/dataflow/reader_binary_interleaved_start_id.cpp",
                               s.core, ReaderDataMovementConfig(reader_ct));
    SetRuntimeArgs(program, reader, s.core,
                   {static_cast<uint32_t>(a->address()), static_cast<uint32_t>(b->address()), n, 0, 0, 0, 0});
    s.unary_writer(program, *out, tt::CBIndex::c_2, n);
    auto compute = CreateKernel(program, kOps + "eltwise/binary/device/kernels/compute/eltwise_binary_sfpu_kernel.cpp",
                                s.core, ComputeConfig{.fp32_dest_acc_en = false, .defines = binary_sfpu_defines(op)});
    if (n % block != 0) throw std::runtime_error("binary_sfpu: the tile count must be a multiple of 2");
    SetRuntimeArgs(program, compute, s.core, {n / block, block});
    save(argv[5], untilize_nfaces(s.run(std::move(program), out), rows, cols));
}

// ---- transpose WH (TransposeWHProgramFactory, interleaved tiles) ---------------------------------------
void transpose(Session& s, char** argv) {
    const uint32_t batch = std::stoul(argv[0]), rows = std::stoul(argv[1]), cols = std::stoul(argv[2]);
    const uint32_t Ht = rows / TILE_HEIGHT, Wt = cols / TILE_WIDTH, n = batch * Ht * Wt;
    const auto data = tilize_nfaces(load(argv[3], batch * rows * cols), batch * rows, cols);
    auto in = s.dram(n, &data);
    auto out = s.dram(n);
    Program program = CreateProgram();
    s.cb(program, tt::CBIndex::c_0, 2);
    s.cb(program, tt::CBIndex::c_16, 2);
    std::vector<uint32_t> reader_ct;
    TensorAccessorArgs(*in).append_to(reader_ct);
    auto reader = CreateKernel(
        program, kOps + "data_movement/transpose/device/kernels/dataflow/reader_unary_transpose_wh_interleaved.cpp",
        s.core, ReaderDataMovementConfig(reader_ct));
    SetRuntimeArgs(program, reader, s.core, {static_cast<uint32_t>(in->address()), batch, Ht, Wt, Ht * Wt});
    s.unary_writer(program, *out, tt::CBIndex::c_16, n);
    auto compute = CreateKernel(program, kOps + "data_movement/transpose/device/kernels/compute/transpose_wh.cpp",
                                s.core, ComputeConfig{});
    SetRuntimeArgs(program, compute, s.core, {n});
    save(argv[4], untilize_nfaces(s.run(std::move(program), out), batch * cols, rows));
}

// ---- tilize / untilize (TilizeMultiCoreProgramFactory / UntilizeMultiCoreProgramFactory, one core) ------
void tilize(Session& s, char** argv) {
    const uint32_t rows = std::stoul(argv[0]), cols = std::stoul(argv[1]);
    const uint32_t Wt = cols / TILE_WIDTH, blocks = rows / TILE_HEIGHT, n = blocks * Wt;
    const auto data = load(argv[2], rows * cols);  // row-major
    auto in = s.dram(n, &data);
    auto out = s.dram(n);
    Program program = CreateProgram();
    s.cb(program, tt::CBIndex::c_0, Wt);
    s.cb(program, tt::CBIndex::c_16, Wt);
    s.unary_reader(program, *in, n);
    s.unary_writer(program, *out, tt::CBIndex::c_16, n);
    CreateKernel(program, kOps + "data_movement/tilize/device/kernels/compute/tilize.cpp", s.core,
                 ComputeConfig{.compile_args = {tt::CBIndex::c_0, tt::CBIndex::c_16, blocks, Wt}});
    save(argv[3], s.run(std::move(program), out));
}

void untilize(Session& s, char** argv) {
    const uint32_t rows = std::stoul(argv[0]), cols = std::stoul(argv[1]);
    const uint32_t Wt = cols / TILE_WIDTH, blocks = rows / TILE_HEIGHT, n = blocks * Wt;
    const auto data = load(argv[2], rows * cols);  // tiled
    auto in = s.dram(n, &data);
    auto out = s.dram(n);
    Program program = CreateProgram();
    s.cb(program, tt::CBIndex::c_0, Wt);
    s.cb(program, tt::CBIndex::c_16, Wt);
    std::vector<uint32_t> reader_ct = {tt::CBIndex::c_0};
    TensorAccessorArgs(*in).append_to(reader_ct);
    auto reader = CreateKernel(program, kOps + "data_movement/untilize/device/kernels/dataflow/reader_unary_start_id.cpp",
                               s.core, ReaderDataMovementConfig(reader_ct));
    SetRuntimeArgs(program, reader, s.core, {static_cast<uint32_t>(in->address()), n, 0});
    s.unary_writer(program, *out, tt::CBIndex::c_16, n);
    CreateKernel(program, kOps + "data_movement/untilize/device/kernels/compute/untilize.cpp", s.core,
                 ComputeConfig{.compile_args = {blocks, Wt, tt::CBIndex::c_0, tt::CBIndex::c_16}});
    save(argv[3], s.run(std::move(program), out));
}

// ---- reduction (ReduceMultiCoreW / ReduceMultiCoreH program factories, Metal 2.0 kernels, one core) ------
// The compute kernel reduction/.../compute/reduce.cpp is a Metal 2.0 kernel: its named arguments are bound
// with the mock-only tt_mock::SetMetal2Bindings (the mock has no ProgramSpec host API).
void reduce(Session& s, char** argv) {
    const std::string op = argv[0], dim = argv[1];
    const uint32_t num_cores = std::stoul(argv[2]);
    const uint32_t batch = std::stoul(argv[3]), rows = std::stoul(argv[4]), cols = std::stoul(argv[5]);
    if ((op != "sum" && op != "max") || (dim != "w" && dim != "h")) throw std::runtime_error("reduce: sum|max w|h");
    const uint32_t Ht = rows / TILE_HEIGHT, Wt = cols / TILE_WIDTH, n = batch * Ht * Wt;
    // the work units split over the cores: tile rows (reduce_w) or tile columns (reduce_h) of all batches
    const uint32_t units = batch * (dim == "w" ? Ht : Wt);
    if (num_cores == 0 || num_cores > units || num_cores > 8) throw std::runtime_error("reduce: 1..min(8, units) cores");
    const CoreRange cores({0, 0}, {num_cores - 1, 0});
    const auto data = tilize_nfaces(load(argv[6], batch * rows * cols), batch * rows, cols);
    auto in = s.dram(n, &data);
    auto out = s.dram(units);
    const uint32_t in_cb = tt::CBIndex::c_0, scaler_cb = tt::CBIndex::c_2, out_cb = tt::CBIndex::c_16;
    const uint32_t tiles_per_batch = 2, one_bits = 0x3f800000u;  // scaler 1.0f
    const std::string pool = op == "sum" ? "PoolType::SUM" : "PoolType::MAX";
    const std::string reduce_dim = dim == "w" ? "ReduceDim::REDUCE_ROW" : "ReduceDim::REDUCE_COL";

    Program program = CreateProgram();
    const uint32_t page = tt::tile_size(tt::DataFormat::Float16_b);
    for (auto [cb, tiles] : {std::pair{in_cb, 2 * tiles_per_batch}, std::pair{scaler_cb, 1u}, std::pair{out_cb, 2u}}) {
        CreateCircularBuffer(program, cores,
                             CircularBufferConfig(tiles * page, {{cb, tt::DataFormat::Float16_b}}).set_page_size(cb, page));
    }
    // the data-movement kernels see REDUCE_OP / REDUCE_DIM at global scope: ckernel-qualified
    std::map<std::string, std::string> dm_defines = {{"REDUCE_OP", "ckernel::" + pool},
                                                     {"REDUCE_DIM", "ckernel::" + reduce_dim}};
    KernelHandle reader;
    if (dim == "w") {
        // ReduceMultiCoreW: reader_unary_reduce_universal_start_id.cpp reads its rows' tiles in row-major order
        // and writes the scaler tile with kernel_lib's prepare_reduce_scaler
        reader = CreateKernel(
            program, kOps + "reduction/generic/device/kernels/dataflow/reader_unary_reduce_universal_start_id.cpp",
            cores, ReaderDataMovementConfig({}, dm_defines));
        tt_mock::SetMetal2Bindings(program, reader,
                                   {.compile_time_args = {{"tiles_per_batch", tiles_per_batch}},
                                    .runtime_args = {"num_tiles", "start_id", "scaler_bits"},
                                    .dataflow_buffers = {{"in0", in_cb}, {"scaler", scaler_cb}},
                                    .tensors = {{"src", in.get()}}});
    } else {
        // ReduceMultiCoreH: reader_unary_transpose_wh_universal_input_cols_partitioned.cpp reads its columns in
        // chunks of the compute helper's DEST limit, row by row within a chunk, across batch boundaries (it
        // sizes its chunks with kernel_lib's dest_helpers, hence the DEST defines of a dataflow kernel)
        dm_defines["ENABLE_FP32_DEST_ACC"] = "0";
        dm_defines["DST_SYNC_FULL"] = "0";
        reader = CreateKernel(program,
                              kOps + "reduction/generic/device/kernels/dataflow/"
                                     "reader_unary_transpose_wh_universal_input_cols_partitioned.cpp",
                              cores, ReaderDataMovementConfig({}, dm_defines));
        tt_mock::SetMetal2Bindings(program, reader,
                                   {.compile_time_args = {{"Ht", Ht}, {"Wt", Wt}, {"HtWt", Ht * Wt}, {"use_welford", 0},
                                                          {"enable_fp32_sfpu", 0}, {"tiles_per_batch", 1},
                                                          {"num_h_slices", 1}, {"slice_Ht", Ht}},
                                    .runtime_args = {"col_start_tile_id", "curr_col_in_batch", "num_cols",
                                                     "scaler_bits"},
                                    .dataflow_buffers = {{"in0", in_cb}, {"scaler", scaler_cb}},
                                    .tensors = {{"src", in.get()}}});
    }
    std::vector<uint32_t> writer_ct = {out_cb};
    TensorAccessorArgs(*out).append_to(writer_ct);
    auto writer = CreateKernel(program, kUnaryWriter, cores, WriterDataMovementConfig(writer_ct));
    auto compute = CreateKernel(program, kOps + "reduction/generic/device/kernels/compute/reduce.cpp", cores,
                                ComputeConfig{.math_fidelity = MathFidelity::HiFi4,
                                              .fp32_dest_acc_en = false,
                                              .defines = {{"REDUCE_OP", pool}, {"REDUCE_DIM", reduce_dim}}});
    tt_mock::SetMetal2Bindings(program, compute,
                               {.compile_time_args = {{"enable_fp32_sfpu", 0}},
                                .runtime_args = {"Ht", "Wt", "NC", "post_mul_scaler_bits"},
                                .dataflow_buffers = {{"in0", in_cb}, {"scaler", scaler_cb}, {"out", out_cb}}});
    // per core: a contiguous range of units (the first units % num_cores cores get one more), one output tile each
    for (uint32_t c = 0, start = 0; c < num_cores; ++c) {
        const uint32_t count = units / num_cores + (c < units % num_cores ? 1 : 0);
        const CoreCoord core{c, 0};
        if (dim == "w") {  // `count` tile rows of Wt tiles: compute sees them as Ht = count, NC = 1
            SetRuntimeArgs(program, reader, core, {count * Wt, start * Wt, one_bits});
            SetRuntimeArgs(program, compute, core, {count, Wt, 1, one_bits});
        } else {  // `count` columns as one row of num_cols columns (NC = 1), as ReduceMultiCoreH passes them
            const uint32_t nc = start / Wt, w = start % Wt;
            SetRuntimeArgs(program, reader, core, {nc * Ht * Wt + w, w, count, one_bits});
            SetRuntimeArgs(program, compute, core, {Ht, count, 1, one_bits});
        }
        SetRuntimeArgs(program, writer, core, {static_cast<uint32_t>(out->address()), count, start});
        start += count;
    }
    const auto result = s.run(std::move(program), out);
    // reduce_w: per batch Ht tiles (one tile column); reduce_h: per batch Wt tiles (one tile row)
    save(argv[7], dim == "w" ? untilize_nfaces(result, batch * rows, TILE_WIDTH)
                             : untilize_nfaces(result, batch * TILE_HEIGHT, cols));
}

// ---- softmax (SoftmaxProgramFactoryGeneralWSmall, interleaved, Metal 2.0 kernels, one core) ---------------
// softmax over the last dim of a (rows x cols) tensor: compute normalization/softmax/.../compute/softmax.cpp,
// reader reader_unary_interleaved_sm.cpp, writer writer_unary_interleaved_start_id_blocked_sm.cpp, all three
// Metal 2.0 (names bound with tt_mock::SetMetal2Bindings); NUMERIC_STABLE subtracts the row max first.
void softmax(Session& s, char** argv) {
    const bool stable = std::string(argv[0]) == "stable";
    const uint32_t rows = std::stoul(argv[1]), cols = std::stoul(argv[2]);
    const uint32_t Ht = rows / TILE_HEIGHT, Wt = cols / TILE_WIDTH, n = Ht * Wt;
    uint32_t blk = 1;  // the factory's block size: the largest of 8..1 dividing Wt
    for (uint32_t b = 8; b >= 1; --b) {
        if (Wt % b == 0) {
            blk = b;
            break;
        }
    }
    const auto data = tilize_nfaces(load(argv[3], rows * cols), rows, cols);
    auto in = s.dram(n, &data);
    auto out = s.dram(n);
    enum : uint32_t { in0 = 0, out0 = 11, max_scaler = 2, sum_scaler = 3, mask_padded = 5, exps = 24, recip = 25, mx = 26 };
    const uint32_t in0_t = 2 * blk, out0_t = 2 * blk, exps_t = (Wt + blk - 1) / blk * blk;
    Program program = CreateProgram();
    s.cb(program, in0, in0_t);
    s.cb(program, out0, out0_t);
    s.cb(program, max_scaler, 1);
    s.cb(program, sum_scaler, 1);
    s.cb(program, mask_padded, 1);
    s.cb(program, exps, exps_t);
    s.cb(program, recip, 1);
    s.cb(program, mx, 1);
    std::map<std::string, std::string> defines;
    if (stable) defines["NUMERIC_STABLE"] = "1";

    const std::string dir = kOps + "normalization/softmax/device/kernels/attention/";
    auto reader = CreateKernel(program, dir + "dataflow/reader_unary_interleaved_sm.cpp", s.core,
                               ReaderDataMovementConfig({}, defines));
    tt_mock::SetMetal2Bindings(program, reader,
                               {.compile_time_args = {{"in0_t", in0_t}},
                                .runtime_args = {"blk", "num_rows", "tile_offset", "Wt"},
                                .dataflow_buffers = {{"in0", in0}, {"max_scaler", max_scaler}, {"sum_scaler", sum_scaler}},
                                .tensors = {{"src", in.get()}}});
    SetRuntimeArgs(program, reader, s.core, {blk, Ht, 0, Wt});
    auto writer = CreateKernel(program, dir + "dataflow/writer_unary_interleaved_start_id_blocked_sm.cpp", s.core,
                               WriterDataMovementConfig({}, defines));
    tt_mock::SetMetal2Bindings(program, writer,
                               {.compile_time_args = {{"num_datum_padded", 0}, {"tile_hw", TILE_HW}},
                                .runtime_args = {"num_tiles", "tile_offset", "blk", "Wt", "mask_padded_data"},
                                .dataflow_buffers = {{"out0", out0}, {"mask_padded", mask_padded}},
                                .tensors = {{"dst", out.get()}}});
    SetRuntimeArgs(program, writer, s.core, {n, 0, blk, Wt, 0});
    std::map<std::string, std::string> compute_defines = defines;
    compute_defines["EXP_APPROX"] = "0";  // the factory's exp accuracy define: exact exp
    auto compute = CreateKernel(program, dir + "compute/softmax.cpp", s.core,
                                ComputeConfig{.math_fidelity = MathFidelity::HiFi4, .defines = compute_defines});
    std::vector<std::pair<std::string, uint32_t>> dfbs = {{"in0", in0},         {"out0", out0},   {"max_scaler", max_scaler},
                                                          {"sum_scaler", sum_scaler}, {"exps", exps}, {"recip_sum_exps", recip}};
    if (stable) dfbs.push_back({"max", mx});
    tt_mock::SetMetal2Bindings(program, compute,
                               {.compile_time_args = {{"in0_t", in0_t}},
                                .runtime_args = {"num_rows", "Ht", "Wt", "blk", "start_ht"},
                                .dataflow_buffers = dfbs});
    SetRuntimeArgs(program, compute, s.core, {Ht, Ht, Wt, blk, 0});
    save(argv[4], untilize_nfaces(s.run(std::move(program), out), rows, cols));
}

// ---- layernorm (LayerNormMultiCoreProgramFactory, interleaved, no gamma/beta, Metal 2.0 kernels, one core) --
// y = (x - E[x]) / sqrt(Var[x] + eps) over the last dim: compute normalization/layernorm/.../compute/
// layernorm.cpp, reader reader_unary_interleaved_ln.cpp, writer writer_unary_interleaved_start_id_blocked.cpp.
void layernorm(Session& s, char** argv) {
    const uint32_t rows = std::stoul(argv[0]), cols = std::stoul(argv[1]);
    const float eps = std::stof(argv[2]);
    const uint32_t Ht = rows / TILE_HEIGHT, Wt = cols / TILE_WIDTH, n = Ht * Wt;
    uint32_t blk = 1;  // the factory's block size: the largest of 8..1 dividing Wt
    for (uint32_t b = 8; b >= 1; --b) {
        if (Wt % b == 0) {
            blk = b;
            break;
        }
    }
    const auto data = tilize_nfaces(load(argv[3], rows * cols), rows, cols);
    auto in = s.dram(n, &data);
    auto out = s.dram(n);
    enum : uint32_t { in0 = 0, scaler = 2, eps_cb = 3, out0 = 16, xmm = 24, ex2pe = 25, ex = 26, xmm2 = 27, ex2 = 28 };
    Program program = CreateProgram();
    for (uint32_t cb : {in0, out0, xmm, xmm2}) s.cb(program, cb, Wt);  // whole rows: x is read twice
    for (uint32_t cb : {eps_cb, ex2pe, ex, ex2}) s.cb(program, cb, 1);
    s.cb(program, scaler, 1);
    uint32_t eps_bits;
    std::memcpy(&eps_bits, &eps, sizeof eps_bits);

    const std::string dir = kOps + "normalization/layernorm/device/kernels/";
    auto reader = CreateKernel(program, dir + "dataflow/reader_unary_interleaved_ln.cpp", s.core,
                               ReaderDataMovementConfig(std::vector<uint32_t>{}));
    tt_mock::SetMetal2Bindings(program, reader,
                               {.compile_time_args = {{"block_size", blk}, {"W", cols}},
                                .runtime_args = {"NCHt", "Wt", "reader_start", "eps"},
                                .dataflow_buffers = {{"in", in0}, {"scaler", scaler}, {"eps", eps_cb}},
                                .tensors = {{"src", in.get()}}});
    SetRuntimeArgs(program, reader, s.core, {Ht, Wt, 0, eps_bits});
    auto writer = CreateKernel(program, dir + "dataflow/writer_unary_interleaved_start_id_blocked.cpp", s.core,
                               WriterDataMovementConfig(std::vector<uint32_t>{}));
    tt_mock::SetMetal2Bindings(program, writer,
                               {.compile_time_args = {{"block_size", blk}},
                                .runtime_args = {"Wt", "num_tile_rows", "writer_start"},
                                .dataflow_buffers = {{"out", out0}},
                                .tensors = {{"dst", out.get()}}});
    SetRuntimeArgs(program, writer, s.core, {Wt, Ht, 0});
    auto compute = CreateKernel(program, dir + "compute/layernorm.cpp", s.core,
                                ComputeConfig{.math_fidelity = MathFidelity::HiFi4});
    tt_mock::SetMetal2Bindings(
        program, compute,
        {.compile_time_args = {{"Wt", Wt}, {"block_size", blk}, {"do_gamma", 0}, {"do_beta", 0}, {"fp32_dest_acc_en", 0},
                               {"float32_reduction", 0}, {"W", cols}, {"tile_width", TILE_WIDTH}},
         .runtime_args = {"NCHt"},
         .dataflow_buffers = {{"in", in0}, {"scaler", scaler}, {"eps", eps_cb}, {"out", out0}, {"xmm", xmm},
                              {"ex2pe", ex2pe}, {"ex", ex}, {"xmm2", xmm2}, {"ex2", ex2}}});
    SetRuntimeArgs(program, compute, s.core, {Ht});
    save(argv[4], untilize_nfaces(s.run(std::move(program), out), rows, cols));
}

// ---- Metal 2.0 bindings the mock rejects before anything is compiled ------------------------------------
void bad_binding(Session& s, char** argv) {
    const std::string kind = argv[0], name = argv[1];
    Program program = CreateProgram();
    if (kind == "compute_tensor") {
        auto buffer = s.dram(1);
        auto kernel = CreateKernel(program, kOps + "data_movement/transpose/device/kernels/compute/transpose_wh.cpp",
                                   s.core, ComputeConfig{});
        tt_mock::SetMetal2Bindings(program, kernel, {.tensors = {{name, buffer.get()}}});
        return;
    }
    auto kernel = CreateKernel(program, kUnaryWriter, s.core, WriterDataMovementConfig(std::vector<uint32_t>{}));
    if (kind == "dfb") {
        tt_mock::SetMetal2Bindings(program, kernel, {.dataflow_buffers = {{name, tt::CBIndex::c_0}}});
    } else {
        tt_mock::SetMetal2Bindings(program, kernel, {.compile_time_args = {{name, 1}}});
    }
}

int run(int argc, char** argv) {
    const std::map<std::string, std::pair<int, void (*)(Session&, char**)>> modes = {
        {"unary", {5, unary}}, {"binary_sfpu", {6, binary_sfpu}}, {"transpose", {5, transpose}},
        {"tilize", {4, tilize}}, {"untilize", {4, untilize}}, {"reduce", {8, reduce}}, {"softmax", {5, softmax}}, {"layernorm", {5, layernorm}}, {"bad_binding", {2, bad_binding}}};
    const auto it = argc > 1 ? modes.find(argv[1]) : modes.end();
    if (it == modes.end() || argc != it->second.first + 2) {
        throw std::runtime_error("usage: ttnn_families_host unary|binary_sfpu|transpose|tilize|untilize|reduce|softmax|layernorm|bad_binding <args> "
                                 "(see the comment at the top of ttnn_families_host.cpp)");
    }
    Session s;
    it->second.second(s, argv + 2);
    s.device->close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return test_io::run_main(run, argc, argv); }
