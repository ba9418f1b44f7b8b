# Kernels beyond the reference matrix, in TileLang syntax: fused eltwise + activation,
# GEMM with transposed B, a deeper pipeline and an in-DST ReLU epilogue.
import tt_build.language as T


def binary_act(M, N, op, act, block_M=32, block_N=32, dtype="bfloat16"):
    @T.prim_func
    def fused(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype), Z: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            xs = T.alloc_shared((block_M, block_N), dtype)
            ys = T.alloc_shared((block_M, block_N), dtype)
            zl = T.alloc_fragment((block_M, block_N), dtype)
            T.copy(X[by * block_M, bx * block_N], xs)
            T.copy(Y[by * block_M, bx * block_N], ys)
            for i, j in T.Parallel(block_M, block_N):
                if act == "exp":
                    if op == "sub":
                        zl[i, j] = T.exp(xs[i, j] - ys[i, j])
                    else:
                        zl[i, j] = T.exp(xs[i, j] + ys[i, j])
                elif act == "relu":
                    zl[i, j] = T.max(xs[i, j] - ys[i, j], 0)
                else:
                    zl[i, j] = xs[i, j] - ys[i, j]
            T.copy(zl, Z[by * block_M, bx * block_N])

    return fused


def gemm_tb_relu(M, N, K, block_M=32, block_N=32, block_K=32, stages=3, relu=True):
    @T.prim_func
    def gemm_tb(A: T.Tensor((M, K), "bfloat16"), Bt: T.Tensor((N, K), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            a_s = T.alloc_shared((block_M, block_K), "bfloat16")
            b_s = T.alloc_shared((block_N, block_K), "bfloat16")
            acc = T.alloc_fragment((block_M, block_N), "float32")
            T.clear(acc)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=stages):
                T.copy(A[by * block_M, k * block_K], a_s)
                T.copy(Bt[bx * block_N, k * block_K], b_s)
                T.gemm(a_s, b_s, acc, transpose_B=True)
            if relu:
                for i, j in T.Parallel(block_M, block_N):
                    acc[i, j] = T.max(acc[i, j], 0)
            T.copy(acc, C[by * block_M, bx * block_N])

    return gemm_tb


def unary(M, N, block_M=32, block_N=32):
    @T.prim_func
    def exp_kernel(X: T.Tensor((M, N), "bfloat16"), Y: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            xs = T.alloc_shared((block_M, block_N), "bfloat16")
            yl = T.alloc_fragment((block_M, block_N), "bfloat16")
            T.copy(X[by * block_M, bx * block_N], xs)
            for i, j in T.Parallel(block_M, block_N):
                yl[i, j] = T.exp(xs[i, j])
            T.copy(yl, Y[by * block_M, bx * block_N])

    return exp_kernel


INSTANCES = {
    "sub_exp_128": dict(M=128, N=256, op="sub", act="exp", factory="binary_act"),
    "sub_relu_blocked": dict(M=256, N=256, op="sub", act="relu", block_M=128, block_N=128, factory="binary_act"),
    "sub_64x128": dict(M=256, N=512, op="sub", act="none", block_M=64, block_N=128, factory="binary_act"),
    "gemm_tb_relu": dict(M=128, N=192, K=256, block_M=64, block_N=64, factory="gemm_tb_relu"),
    "gemm_tb_odd": dict(M=96, N=160, K=96, stages=1, relu=False, factory="gemm_tb_relu"),
    "exp_256": dict(M=256, N=256, factory="unary"),
}
