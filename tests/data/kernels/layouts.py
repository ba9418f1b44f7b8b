# Kernels with tensors in L1 (T.annotate_layout), and a GEMM whose variable names collide with the
# names the compiler generates (tile loops r/c, the persistent loop `block`) or with C++ keywords (`new`).
import tt_build.language as T


def matmul_l1(M, N, K, block_M=32, block_N=32, block_K=32, layout_a="l1_interleaved", layout_c="l1_interleaved"):
    @T.prim_func
    def gemm_l1(A: T.Tensor((M, K), "bfloat16"), B: T.Tensor((K, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        T.annotate_layout({A: layout_a, C: layout_c})
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

    return gemm_l1


def binary_l1(M, N, block_M=32, block_N=32, layout="l1_interleaved"):
    @T.prim_func
    def add_l1(X: T.Tensor((M, N), "bfloat16"), Y: T.Tensor((M, N), "bfloat16"), Z: T.Tensor((M, N), "bfloat16")):
        T.annotate_layout({X: layout, Y: layout, Z: layout})
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            xs = T.alloc_shared((block_M, block_N), "bfloat16")
            ys = T.alloc_shared((block_M, block_N), "bfloat16")
            zl = T.alloc_fragment((block_M, block_N), "bfloat16")
            T.copy(X[by * block_M, bx * block_N], xs)
            T.copy(Y[by * block_M, bx * block_N], ys)
            for i, j in T.Parallel(block_M, block_N):
                zl[i, j] = xs[i, j] + ys[i, j]
            T.copy(zl, Z[by * block_M, bx * block_N])

    return add_l1


def matmul_names(M, N, K, block_M=64, block_N=64, block_K=32):
    @T.prim_func
    def gemm_names(A: T.Tensor((M, K), "bfloat16"), B: T.Tensor((K, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (new, block):
            A_shared = T.alloc_shared((block_M, block_K), "bfloat16")
            B_shared = T.alloc_shared((block_K, block_N), "bfloat16")
            C_local = T.alloc_fragment((block_M, block_N), "float32")
            T.clear(C_local)
            for r in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[block * block_M, r * block_K], A_shared)
                T.copy(B[r * block_K, new * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            T.copy(C_local, C[block * block_M, new * block_N])

    return gemm_names


INSTANCES = {
    "gemm_l1_256": dict(M=256, N=256, K=256, factory="matmul_l1"),
    "gemm_l1_a_blocked": dict(M=256, N=256, K=256, block_M=64, block_N=64, layout_c="dram_interleaved",
                                   factory="matmul_l1"),
    "add_l1_256": dict(M=256, N=256, factory="binary_l1"),
    "gemm_names_128": dict(M=128, N=192, K=128, factory="matmul_names"),
}
