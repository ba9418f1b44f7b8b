# More copies (tt-build issue 13, item 4): tensor -> tensor T.copy, T.transpose, num_stages=0, T.fill of a
# shared buffer — in TileLang syntax.
import tt_build.language as T


def tensor_copy(M, N, block_M=64, block_N=32, dtype="bfloat16"):
    """B[blocks] = A[blocks] with a tensor -> tensor T.copy (staged through an internal L1 block)."""

    @T.prim_func
    def tcopy(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            T.copy(A[by * block_M:(by + 1) * block_M, bx * block_N:(bx + 1) * block_N],
                   B[by * block_M:(by + 1) * block_M, bx * block_N:(bx + 1) * block_N])

    return tcopy


def transpose(M, N, block_M=64, block_N=32, dtype="bfloat16"):
    """B = A.T block by block (transpose_tile on the compute core)."""

    @T.prim_func
    def tr(A: T.Tensor((M, N), dtype), B: T.Tensor((N, M), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_s = T.alloc_shared((block_M, block_N), dtype)
            B_l = T.alloc_fragment((block_N, block_M), dtype)
            T.copy(A[by * block_M, bx * block_N], A_s)
            T.transpose(A_s, B_l)
            T.copy(B_l, B[bx * block_N, by * block_M])

    return tr


def transpose_shared(M, N, block=32, dtype="bfloat16"):
    """B = A.T + A.T, the transpose into a shared buffer read by an element-wise store."""

    @T.prim_func
    def tr2(A: T.Tensor((M, N), dtype), B: T.Tensor((N, M), dtype)):
        with T.Kernel(T.ceildiv(N, block), T.ceildiv(M, block)) as (bx, by):
            A_s = T.alloc_shared((block, block), dtype)
            T_s = T.alloc_shared((block, block), dtype)
            B_l = T.alloc_fragment((block, block), dtype)
            T.copy(A[by * block, bx * block], A_s)
            T.transpose(A_s, T_s)
            for i, j in T.Parallel(block, block):
                B_l[i, j] = T_s[i, j] + T_s[i, j]
            T.copy(B_l, B[bx * block, by * block])

    return tr2


def scaled_gemm(M, N, K, block=32, dtype="bfloat16", accum_dtype="float32"):
    """C = (A @ B) * 2 with num_stages=0 and the factor in a T.fill-ed shared block."""

    @T.prim_func
    def sg(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block), T.ceildiv(M, block)) as (bx, by):
            A_s = T.alloc_shared((block, block), dtype)
            B_s = T.alloc_shared((block, block), dtype)
            two = T.alloc_shared((block, block), dtype)
            acc = T.alloc_fragment((block, block), accum_dtype)
            prod = T.alloc_shared((block, block), dtype)
            out = T.alloc_fragment((block, block), dtype)
            T.clear(acc)
            for k in T.Pipelined(T.ceildiv(K, block), num_stages=0):
                T.copy(A[by * block, k * block], A_s)
                T.copy(B[k * block, bx * block], B_s)
                T.gemm(A_s, B_s, acc)
            T.copy(acc, prod)
            T.fill(two, 2.0)
            for i, j in T.Parallel(block, block):
                out[i, j] = prod[i, j] * two[i, j]
            T.copy(out, C[by * block, bx * block])

    return sg


INSTANCES = {
    "tcopy_128x96": dict(factory="tensor_copy", M=128, N=96),
    "transpose_128x96": dict(factory="transpose", M=128, N=96),
    "transpose_shared_64x96": dict(factory="transpose_shared", M=64, N=96),
    "scaled_gemm_64": dict(factory="scaled_gemm", M=64, N=64, K=96),
}


def gemm_ta(M, N, K, block_M=32, block_N=32, block_K=32, dtype="bfloat16", accum_dtype="float32"):
    """C = A.T @ B with A stored K × M: T.gemm(transpose_A=True)."""

    @T.prim_func
    def gta(A: T.Tensor((K, M), dtype), B: T.Tensor((K, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_s = T.alloc_shared((block_K, block_M), dtype)
            B_s = T.alloc_shared((block_K, block_N), dtype)
            C_l = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_l)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[k * block_K, by * block_M], A_s)
                T.copy(B[k * block_K, bx * block_N], B_s)
                T.gemm(A_s, B_s, C_l, transpose_A=True)
            T.copy(C_l, C[by * block_M, bx * block_N])

    return gta


INSTANCES["gemm_ta_64x96x64"] = dict(factory="gemm_ta", M=64, N=96, K=64)
INSTANCES["gemm_ta_128x64x96_b64"] = dict(factory="gemm_ta", M=128, N=64, K=96, block_M=64, block_N=64, block_K=32)
# six K steps: the transposed A block is packed in the middle iterations, where the partial sums accumulate
# in L1 (packer L1 accumulation must be off for that pack)
INSTANCES["gemm_ta_64x64x192_b64"] = dict(factory="gemm_ta", M=64, N=64, K=192, block_M=64, block_N=64, block_K=32)
