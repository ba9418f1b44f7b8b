"""float32 kernel tensors (issue 12, item 1), written the way TileLang writes them: element-wise and row-wise
kernels on float32 tensors, and kernels mixing float32 and bfloat16 tensors."""

import tt_build.language as T


def scale_add(M, N, block_M=32, block_N=64, in_dtype="float32", out_dtype="float32", accum_dtype="float32"):
    """c = a * b + 0.5 * a: one FPU product, a reuse-dest add and a scalar op."""
    @T.prim_func
    def main(A: T.Tensor((M, N), in_dtype), B: T.Tensor((M, N), in_dtype), C: T.Tensor((M, N), out_dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            a = T.alloc_shared((block_M, block_N), in_dtype)
            b = T.alloc_shared((block_M, block_N), in_dtype)
            c = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.copy(A[by * block_M, bx * block_N], a)
            T.copy(B[by * block_M, bx * block_N], b)
            for i, j in T.Parallel(block_M, block_N):
                c[i, j] = a[i, j] * b[i, j] + a[i, j] * 0.5
            T.copy(c, C[by * block_M, bx * block_N])

    return main


def copy_through(M, N, block_M=32, block_N=32, dtype="float32"):
    """Y = X through an L1 block: the bits must come back unchanged."""
    @T.prim_func
    def main(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            x = T.alloc_shared((block_M, block_N), dtype)
            T.copy(X[by * block_M, bx * block_N], x)
            T.copy(x, Y[by * block_M, bx * block_N])

    return main


def softmax(M, N, block_M=32, dtype="float32", out_dtype="float32", accum_dtype="float"):
    @T.prim_func
    def main(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), out_dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            x = T.alloc_shared((block_M, N), dtype)
            y = T.alloc_fragment((block_M, N), accum_dtype)
            row_max = T.alloc_fragment((block_M,), accum_dtype)
            row_sum = T.alloc_fragment((block_M,), accum_dtype)
            T.copy(X[bx * block_M, 0], x)
            T.reduce_max(x, row_max, dim=1)
            for i, j in T.Parallel(block_M, N):
                y[i, j] = T.exp(x[i, j] - row_max[i])
            T.reduce_sum(y, row_sum, dim=1)
            for i, j in T.Parallel(block_M, N):
                y[i, j] = y[i, j] / row_sum[i]
            T.copy(y, Y[bx * block_M, 0])

    return main


def layernorm(M, N, block_M=32, eps=1e-5, dtype="float32", accum_dtype="float"):
    @T.prim_func
    def main(X: T.Tensor((M, N), dtype), G: T.Tensor((N,), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            x = T.alloc_shared((block_M, N), dtype)
            g = T.alloc_shared((N,), dtype)
            xc = T.alloc_fragment((block_M, N), accum_dtype)
            y = T.alloc_fragment((block_M, N), dtype)
            mean = T.alloc_fragment((block_M,), accum_dtype)
            var = T.alloc_fragment((block_M,), accum_dtype)
            T.copy(X[bx * block_M, 0], x)
            T.copy(G[0], g)
            T.reduce_sum(x, mean, dim=1)
            for i in T.Parallel(block_M):
                mean[i] = mean[i] / N
            for i, j in T.Parallel(block_M, N):
                xc[i, j] = x[i, j] - mean[i]
            for i, j in T.Parallel(block_M, N):
                y[i, j] = xc[i, j] * xc[i, j]
            T.reduce_sum(y, var, dim=1)
            for i in T.Parallel(block_M):
                var[i] = T.rsqrt(var[i] / N + eps)
            for i, j in T.Parallel(block_M, N):
                y[i, j] = xc[i, j] * var[i] * g[j]
            T.copy(y, Y[bx * block_M, 0])

    return main


def matmul(M, N, K, block_M=64, block_N=64, block_K=32, dtype="float32", out_dtype="float32",
           accum_dtype="float32"):
    @T.prim_func
    def main(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype), C: T.Tensor((M, N), out_dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            a = T.alloc_shared((block_M, block_K), dtype)
            b = T.alloc_shared((block_K, block_N), dtype)
            acc = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(acc)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[by * block_M, k * block_K], a)
                T.copy(B[k * block_K, bx * block_N], b)
                T.gemm(a, b, acc)
            T.copy(acc, C[by * block_M, bx * block_N])

    return main


INSTANCES = {
    "f32_scale_add": dict(factory="scale_add", M=64, N=128),
    "f32_copy": dict(factory="copy_through", M=64, N=64),
    "bf16_in_f32_out": dict(factory="scale_add", M=64, N=128, in_dtype="bfloat16"),
    "f32_in_bf16_out": dict(factory="scale_add", M=64, N=128, out_dtype="bfloat16"),
    "f32_softmax": dict(factory="softmax", M=64, N=256),
    "f32_layernorm": dict(factory="layernorm", M=64, N=256),
    "f32_gemm": dict(factory="matmul", M=128, N=128, K=128),
    "bf16_gemm_f32_out": dict(factory="matmul", M=128, N=128, K=128, dtype="bfloat16"),
}
