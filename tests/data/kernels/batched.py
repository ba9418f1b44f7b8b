# Kernels over grids of any rank and tensors of rank 3 / 4 (tt-build issue 13, item 1), in TileLang syntax.
import tt_build.language as T


def batched_gemm(B, M, N, K, block_M=32, block_N=32, block_K=32, dtype="bfloat16", accum_dtype="float32"):
    """C[b] = A[b] @ W[b] for every batch element b: a 3-D grid, the batch on the third axis."""

    @T.prim_func
    def bgemm(
        A: T.Tensor((B, M, K), dtype),
        W: T.Tensor((B, K, N), dtype),
        C: T.Tensor((B, M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), B, threads=128) as (bx, by, bz):
            T.use_swizzle(panel_size=10)
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            W_shared = T.alloc_shared((block_K, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[bz, by * block_M, k * block_K], A_shared)
                T.copy(W[bz, k * block_K:(k + 1) * block_K, bx * block_N:(bx + 1) * block_N], W_shared)
                T.gemm(A_shared, W_shared, C_local)
            T.copy(C_local, C[bz, by * block_M, bx * block_N])

    return bgemm


def shared_weight_gemm(B, M, N, K, block_M=32, block_N=32, block_K=32, dtype="bfloat16", accum_dtype="float32"):
    """C[b] = A[b] @ W with one 2-D weight for the whole batch."""

    @T.prim_func
    def sgemm(
        A: T.Tensor((B, M, K), dtype),
        W: T.Tensor((K, N), dtype),
        C: T.Tensor((B, M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), B) as (bx, by, bz):
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            W_shared = T.alloc_shared((block_K, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[bz, by * block_M, k * block_K], A_shared)
                T.copy(W[k * block_K, bx * block_N], W_shared)
                T.gemm(A_shared, W_shared, C_local)
            T.copy(C_local, C[bz, by * block_M, bx * block_N])

    return sgemm


def batched_add(B, H, M, N, block_M=32, block_N=32, dtype="bfloat16"):
    """Element-wise Z = X + Y over a 4-D (B, H, M, N) tensor: grid (N/bn, M/bm, B*H), batch indices from bz."""

    @T.prim_func
    def badd(
        X: T.Tensor((B, H, M, N), dtype),
        Y: T.Tensor((B, H, M, N), dtype),
        Z: T.Tensor((B, H, M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), B * H, threads=256, prelude="") as (bx, by, bz):
            X_shared = T.alloc_shared((block_M, block_N), dtype)
            Y_shared = T.alloc_shared((block_M, block_N), dtype)
            Z_local = T.alloc_fragment((block_M, block_N), dtype)
            T.copy(X[bz // H, bz % H, by * block_M, bx * block_N], X_shared)
            T.copy(Y[bz // H, bz % H, by * block_M, bx * block_N], Y_shared)
            for i, j in T.Parallel(block_M, block_N):
                Z_local[i, j] = X_shared[i, j] + Y_shared[i, j]
            T.copy(Z_local, Z[bz // H, bz % H, by * block_M, bx * block_N])

    return badd


def batched_mul_4d_grid(B, H, M, N, block_M=32, block_N=32, dtype="bfloat16"):
    """Element-wise Z = X * Y over (B, H, M, N) with a 4-D grid (bx, by, bh, bb)."""

    @T.prim_func
    def bmul4(
        X: T.Tensor((B, H, M, N), dtype),
        Y: T.Tensor((B, H, M, N), dtype),
        Z: T.Tensor((B, H, M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), H, B) as (bx, by, bh, bb):
            X_shared = T.alloc_shared((block_M, block_N), dtype)
            Y_shared = T.alloc_shared((block_M, block_N), dtype)
            Z_local = T.alloc_fragment((block_M, block_N), dtype)
            T.copy(X[bb, bh, by * block_M, bx * block_N], X_shared)
            T.copy(Y[bb, bh, by * block_M, bx * block_N], Y_shared)
            for i, j in T.Parallel(block_M, block_N):
                Z_local[i, j] = X_shared[i, j] * Y_shared[i, j]
            T.copy(Z_local, Z[bb, bh, by * block_M, bx * block_N])

    return bmul4


def no_index_copy(M, N, dtype="bfloat16"):
    """A one-block kernel whose T.Kernel binds no indices: Z = X + Y on a single M×N block."""

    @T.prim_func
    def whole(
        X: T.Tensor((M, N), dtype),
        Y: T.Tensor((M, N), dtype),
        Z: T.Tensor((M, N), dtype),
    ):
        with T.Kernel(1):
            X_shared = T.alloc_shared((M, N), dtype)
            Y_shared = T.alloc_shared((M, N), dtype)
            Z_local = T.alloc_fragment((M, N), dtype)
            T.copy(X, X_shared)
            T.copy(Y, Y_shared)
            for i, j in T.Parallel(M, N):
                Z_local[i, j] = X_shared[i, j] + Y_shared[i, j]
            T.copy(Z_local, Z)

    return whole


INSTANCES = {
    "bgemm_3x64x96x64": dict(factory="batched_gemm", B=3, M=64, N=96, K=64),
    "bgemm_2x128_blocked": dict(factory="batched_gemm", B=2, M=128, N=128, K=96, block_M=64, block_N=64),
    "sgemm_2x64x64x96": dict(factory="shared_weight_gemm", B=2, M=64, N=64, K=96),
    "badd_2x3x64x64": dict(factory="batched_add", B=2, H=3, M=64, N=64),
    "bmul4_2x2x64x96": dict(factory="batched_mul_4d_grid", B=2, H=2, M=64, N=96),
    "whole_64x64": dict(factory="no_index_copy", M=64, N=64),
}
