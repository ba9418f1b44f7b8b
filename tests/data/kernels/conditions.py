# Runtime conditions on block indices (tt-build issue 13, item 3), in TileLang syntax.
import tt_build.language as T


def guarded_gemm(M, N, K, block_M=32, block_N=32, block_K=32, dtype="bfloat16", accum_dtype="float32"):
    """TileLang's bounds check `if by * block_M < M`: the grid proves it, so it folds away."""

    @T.prim_func
    def gemm(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            B_shared = T.alloc_shared((block_K, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            if by * block_M < M and bx * block_N < N:
                T.clear(C_local)
                for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                    T.copy(A[by * block_M, k * block_K], A_shared)
                    T.copy(B[k * block_K, bx * block_N], B_shared)
                    T.gemm(A_shared, B_shared, C_local)
                T.copy(C_local, C[by * block_M, bx * block_N])

    return gemm


def persistent_gemm(M, N, K, block_M=32, block_N=32, block_K=32, sm_num=5, dtype="bfloat16", accum_dtype="float32"):
    """TileLang's persistent GEMM: sm_num workers loop over waves of tiles; the last wave is partly empty."""
    m_blocks = T.ceildiv(M, block_M)
    n_blocks = T.ceildiv(N, block_N)
    waves = T.ceildiv(m_blocks * n_blocks, sm_num)

    @T.prim_func
    def gemm(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(sm_num, threads=128) as (block_id):
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            B_shared = T.alloc_shared((block_K, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            for w in T.serial(waves):
                tile_id = sm_num * w + block_id
                bx = tile_id // n_blocks
                by = tile_id % n_blocks
                if bx * block_M < M and by * block_N < N:
                    T.clear(C_local)
                    for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                        T.copy(A[bx * block_M, k * block_K], A_shared)
                        T.copy(B[k * block_K, by * block_N], B_shared)
                        T.gemm(A_shared, B_shared, C_local)
                    T.copy(C_local, C[bx * block_M, by * block_N])

    return gemm


def persistent_add(M, N, block_M=32, block_N=32, workers=4, dtype="bfloat16"):
    """Element-wise add over tiles distributed round-robin to `workers` blocks, with a runtime bounds check."""
    n_blocks = N // block_N
    total = (M // block_M) * n_blocks
    waves = T.ceildiv(total, workers)

    @T.prim_func
    def add(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype), Z: T.Tensor((M, N), dtype)):
        with T.Kernel(workers) as wid:
            X_s = T.alloc_shared((block_M, block_N), dtype)
            Y_s = T.alloc_shared((block_M, block_N), dtype)
            Z_l = T.alloc_fragment((block_M, block_N), dtype)
            for w in T.serial(waves):
                t = w * workers + wid
                if t < total:
                    T.copy(X[t // n_blocks * block_M, t % n_blocks * block_N], X_s)
                    T.copy(Y[t // n_blocks * block_M, t % n_blocks * block_N], Y_s)
                    for i, j in T.Parallel(block_M, block_N):
                        Z_l[i, j] = X_s[i, j] + Y_s[i, j]
                    T.copy(Z_l, Z[t // n_blocks * block_M, t % n_blocks * block_N])

    return add


INSTANCES = {
    "guarded_gemm_64x96": dict(factory="guarded_gemm", M=64, N=96, K=64),
    "persistent_gemm_96x64": dict(factory="persistent_gemm", M=96, N=64, K=64),
    "persistent_add_64x96": dict(factory="persistent_add", M=64, N=96),
}
