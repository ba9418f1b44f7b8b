# Kernels with L1-sharded tensors (T.annotate_layout): the work partition follows the shard grid and every
# core reads / writes its own shard in its L1 (no DRAM traffic for the sharded tensors).
import tt_build.language as T


def add_sharded(M, N, block_M=32, block_N=32, layout="l1_height_sharded", layout_y=None):
    @T.prim_func
    def add_shard(X: T.Tensor((M, N), "bfloat16"), Y: T.Tensor((M, N), "bfloat16"), Z: T.Tensor((M, N), "bfloat16")):
        T.annotate_layout({X: layout, Y: layout_y or layout, Z: layout})
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            xs = T.alloc_shared((block_M, block_N), "bfloat16")
            ys = T.alloc_shared((block_M, block_N), "bfloat16")
            zl = T.alloc_fragment((block_M, block_N), "bfloat16")
            T.copy(X[by * block_M, bx * block_N], xs)
            T.copy(Y[by * block_M, bx * block_N], ys)
            for i, j in T.Parallel(block_M, block_N):
                zl[i, j] = xs[i, j] + ys[i, j]
            T.copy(zl, Z[by * block_M, bx * block_N])

    return add_shard


def matmul_sharded_a(M, N, K, block_M=32, block_N=64, block_K=32, layout_a="l1_height_sharded"):
    @T.prim_func
    def gemm_shard_a(A: T.Tensor((M, K), "bfloat16"), B: T.Tensor((K, N), "bfloat16"),
                     C: T.Tensor((M, N), "bfloat16")):
        T.annotate_layout({A: layout_a})
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), "bfloat16")
            B_shared = T.alloc_shared((block_K, block_N), "bfloat16")
            C_local = T.alloc_fragment((block_M, block_N), "float32")
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[by * block_M, k * block_K], A_shared)
                T.copy(B[k * block_K, bx * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            T.copy(C_local, C[by * block_M, bx * block_N])

    return gemm_shard_a


INSTANCES = {
    # 2 x 12 blocks of 32x64: a height shard is a full row of the tensor, so 12 cores (a row of 8 and a
    # partial row of 4) run 2 blocks each
    "add_height_384x128": dict(M=384, N=128, block_M=32, block_N=64, factory="add_sharded"),
    # 4 x 4 blocks of 64x64 on a 4x4 core rectangle, one 2x2-tile shard per core; Y stays in DRAM
    "add_block_256": dict(M=256, N=256, block_M=64, block_N=64, layout="l1_block_sharded",
                          layout_y="dram_interleaved", factory="add_sharded"),
    # 4 x 2 blocks of 64x64: a width shard is a column of the tensor, so 4 cores run a column of 2 blocks each
    "add_width_128x256": dict(M=128, N=256, block_M=64, block_N=64, layout="l1_width_sharded", factory="add_sharded"),
    # A height-sharded (each core's row of A in its L1), B and C in DRAM
    "gemm_shard_a_256x128x128": dict(M=256, N=128, K=128, factory="matmul_sharded_a"),
}
