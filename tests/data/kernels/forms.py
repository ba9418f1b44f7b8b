# Kernel forms beyond the reference matrix: element-wise negation, T.min(x, 0), casts, a block times itself,
# several stores in one T.Parallel nest, results copied to two tensors and through an on-chip buffer, and a
# GEMM that clears its accumulator inside the K loop (only the last K step counts).
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


def square_exp(M, N, block=32):
    @T.prim_func
    def square(X: T.Tensor((M, N), "bfloat16"), Z: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block), T.ceildiv(M, block)) as (bx, by):
            xs = T.alloc_shared((block, block), "bfloat16")
            acc = T.alloc_fragment((block, block), "float32")
            T.copy(X[by * block, bx * block], xs)
            for i, j in T.Parallel(block, block):
                acc[i, j] = xs[i, j] * xs[i, j]  # one staged block as both operands
                acc[i, j] = T.exp(-acc[i, j])
            T.copy(acc, Z[by * block, bx * block])

    return square


def gemm_last_k(M, N, K, block=32):
    @T.prim_func
    def gemm_last(A: T.Tensor((M, K), "bfloat16"), B: T.Tensor((K, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block), T.ceildiv(M, block)) as (bx, by):
            a_s = T.alloc_shared((block, block), "bfloat16")
            b_s = T.alloc_shared((block, block), "bfloat16")
            acc = T.alloc_fragment((block, block), "float32")
            for k in T.Pipelined(T.ceildiv(K, block), num_stages=2):
                T.clear(acc)
                T.copy(A[by * block, k * block], a_s)
                T.copy(B[k * block, bx * block], b_s)
                T.gemm(a_s, b_s, acc)
            T.copy(acc, C[by * block, bx * block])

    return gemm_last


INSTANCES = {
    "neg_min_64x96": dict(M=64, N=96, form="neg_min", factory="forms"),
    "chain_128": dict(M=128, N=128, form="chain", block_M=64, block_N=64, factory="forms"),
    "cast_mul_64": dict(M=64, N=64, form="cast", factory="forms"),
    "square_exp_64": dict(M=64, N=64, factory="square_exp"),
    "gemm_last_k_64": dict(M=64, N=96, K=128, factory="gemm_last_k"),
    "two_outputs_64x128": dict(M=64, N=128, factory="two_outputs"),
}
