# 1-D tensors (tt-build issue 13, item 1): a bias vector broadcast over the columns of a block, and row sums
# written to a vector, in TileLang syntax.
import tt_build.language as T


def bias_add(M, N, block_M=32, block_N=64, dtype="bfloat16"):
    @T.prim_func
    def ba(X: T.Tensor((M, N), dtype), Bias: T.Tensor((N,), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            x = T.alloc_shared((block_M, block_N), dtype)
            b = T.alloc_shared((block_N,), dtype)
            y = T.alloc_fragment((block_M, block_N), dtype)
            T.copy(X[by * block_M, bx * block_N], x)
            T.copy(Bias[bx * block_N], b)
            for i, j in T.Parallel(block_M, block_N):
                y[i, j] = x[i, j] + b[j]
            T.copy(y, Y[by * block_M, bx * block_N])

    return ba


def row_sum(M, N, block_M=32, dtype="bfloat16", accum_dtype="float"):
    @T.prim_func
    def rs(X: T.Tensor((M, N), dtype), S: T.Tensor((M,), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            x = T.alloc_shared((block_M, N), dtype)
            s = T.alloc_fragment((block_M,), accum_dtype)
            T.copy(X[bx * block_M, 0], x)
            T.reduce_sum(x, s, dim=1)
            T.copy(s, S[bx * block_M])

    return rs


INSTANCES = {
    "bias_add_64x128": dict(factory="bias_add", M=64, N=128),
    "row_sum_96x64": dict(factory="row_sum", M=96, N=64),
}
