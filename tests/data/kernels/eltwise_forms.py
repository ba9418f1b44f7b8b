# Element-wise forms beyond a single binary op: negation, T.min(x, 0), casts, several stores in one
# T.Parallel nest, and results copied to two tensors / through an on-chip buffer.
import tt_build.language as T


def forms(M, N, form, block_M=32, block_N=32):
    @T.prim_func
    def eltwise_form(X: T.Tensor((M, N), "bfloat16"), Y: T.Tensor((M, N), "bfloat16"),
                     Z: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            xs = T.alloc_shared((block_M, block_N), "bfloat16")
            ys = T.alloc_shared((block_M, block_N), "bfloat16")
            acc = T.alloc_fragment((block_M, block_N), "float32")
            T.copy(X[by * block_M, bx * block_N], xs)
            T.copy(Y[by * block_M, bx * block_N], ys)
            for i, j in T.Parallel(block_M, block_N):
                if form == "neg_min":
                    acc[i, j] = T.min(-(xs[i, j] - ys[i, j]), 0)
                elif form == "chain":
                    acc[i, j] = xs[i, j] * ys[i, j]
                    acc[i, j] = T.relu(acc[i, j])
                    acc[i, j] = -acc[i, j]
                else:  # "cast"
                    acc[i, j] = T.cast(xs[i, j], "float32") * T.float32(ys[i, j])
            T.copy(acc, Z[by * block_M, bx * block_N])

    return eltwise_form


def two_outputs(M, N, block_M=32, block_N=32):
    @T.prim_func
    def sum_exp(X: T.Tensor((M, N), "bfloat16"), Y: T.Tensor((M, N), "bfloat16"), S: T.Tensor((M, N), "bfloat16"),
                S2: T.Tensor((M, N), "bfloat16"), E: T.Tensor((M, N), "bfloat16"), X2: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            xs = T.alloc_shared((block_M, block_N), "bfloat16")
            ys = T.alloc_shared((block_M, block_N), "bfloat16")
            staged = T.alloc_shared((block_M, block_N), "bfloat16")
            passthrough = T.alloc_shared((block_M, block_N), "bfloat16")
            s = T.alloc_fragment((block_M, block_N), "bfloat16")
            e = T.alloc_fragment((block_M, block_N), "bfloat16")
            T.copy(X[by * block_M, bx * block_N], xs)
            T.copy(Y[by * block_M, bx * block_N], ys)
            for i, j in T.Parallel(block_M, block_N):
                s[i, j] = xs[i, j] + ys[i, j]
            T.copy(s, staged)  # s into an on-chip buffer and into two tensors: one DST live range
            T.copy(s, S[by * block_M, bx * block_N])
            T.copy(s, S2[by * block_M, bx * block_N])
            for i, j in T.Parallel(block_M, block_N):
                e[i, j] = T.cast(T.exp(staged[i, j]), "bfloat16")
            T.copy(e, E[by * block_M, bx * block_N])
            T.copy(X[by * block_M, bx * block_N], passthrough)  # reader → writer, no compute
            T.copy(passthrough, X2[by * block_M, bx * block_N])

    return sum_exp


INSTANCES = {
    "neg_min_64x96": dict(M=64, N=96, form="neg_min", factory="forms"),
    "chain_128": dict(M=128, N=128, form="chain", block_M=64, block_N=64, factory="forms"),
    "cast_mul_64": dict(M=64, N=64, form="cast", factory="forms"),
    "two_outputs_64x128": dict(M=64, N=128, factory="two_outputs"),
}
