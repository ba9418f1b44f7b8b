# Partial last blocks (tt-build issue 13, item 2): tensor extents that are multiples of the 32×32 tile but not
# of the block. TileLang's own GEMM and element-wise kernels, unchanged.
import tt_build.language as T


def matmul(M, N, K, block_M=64, block_N=64, block_K=64, dtype="bfloat16", accum_dtype="float32"):
    @T.prim_func
    def gemm(
        A: T.Tensor((M, K), dtype),
        B: T.Tensor((K, N), dtype),
        C: T.Tensor((M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), threads=128) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            B_shared = T.alloc_shared((block_K, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[by * block_M, k * block_K], A_shared)
                T.copy(B[k * block_K, bx * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            T.copy(C_local, C[by * block_M, bx * block_N])

    return gemm


def add_exp(M, N, block_M=64, block_N=64, dtype="bfloat16"):
    @T.prim_func
    def eltwise(
        A: T.Tensor((M, N), dtype),
        B: T.Tensor((M, N), dtype),
        C: T.Tensor((M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_N), dtype)
            B_shared = T.alloc_shared((block_M, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), dtype)
            T.copy(A[by * block_M, bx * block_N], A_shared)
            T.copy(B[by * block_M, bx * block_N], B_shared)
            for i, j in T.Parallel(block_M, block_N):
                C_local[i, j] = A_shared[i, j] * B_shared[i, j]
            T.copy(C_local, C[by * block_M, bx * block_N])

    return eltwise


def batched_matmul(Bt, M, N, K, block_M=64, block_N=64, block_K=64, dtype="bfloat16", accum_dtype="float32"):
    @T.prim_func
    def bgemm(
        A: T.Tensor((Bt, M, K), dtype),
        B: T.Tensor((Bt, K, N), dtype),
        C: T.Tensor((Bt, M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), Bt) as (bx, by, bz):
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            B_shared = T.alloc_shared((block_K, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[bz, by * block_M, k * block_K], A_shared)
                T.copy(B[bz, k * block_K, bx * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            T.copy(C_local, C[bz, by * block_M, bx * block_N])

    return bgemm


INSTANCES = {
    # M, N, K all partial: 96 = 64 + 32, 160 = 2*64 + 32
    "gemm_96x160x96_b64": dict(factory="matmul", M=96, N=160, K=96),
    # only K partial
    "gemm_64x64x160_b64": dict(factory="matmul", M=64, N=64, K=160),
    "mul_96x224_b64": dict(factory="add_exp", M=96, N=224),
    "bgemm_2x96x96x96_b64": dict(factory="batched_matmul", Bt=2, M=96, N=96, K=96),
}
