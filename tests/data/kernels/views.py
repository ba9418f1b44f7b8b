# T.Tensor(shape, dtype, X.data) views (tt-build issue 13, item 4), as TileLang's convolution example writes
# them: a 1x1 (pointwise) convolution NHWC x (KH, KW, C, F) is a GEMM of the flattened tensors.
import tt_build.language as T


def pointwise_conv(N, H, W, C, F, block_M=64, block_N=32, block_K=32, dtype="bfloat16", accum_dtype="float32"):
    @T.prim_func
    def conv1x1(
        data: T.Tensor((N, H, W, C), dtype),
        kernel: T.Tensor((1, 1, C, F), dtype),
        out: T.Tensor((N, H, W, F), dtype),
    ):
        with T.Kernel(T.ceildiv(F, block_N), T.ceildiv(N * H * W, block_M), threads=128) as (bx, by):
            data_shared = T.alloc_shared((block_M, block_K), dtype)
            kernel_shared = T.alloc_shared((block_K, block_N), dtype)
            out_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            data_flat = T.Tensor((N * H * W, C), dtype, data.data)
            kernel_flat = T.Tensor((C, F), dtype, kernel.data)
            out_flat = T.Tensor((N * H * W, F), dtype, out.data)
            T.clear(out_local)
            for k in T.Pipelined(T.ceildiv(C, block_K), num_stages=2):
                T.copy(data_flat[by * block_M, k * block_K], data_shared)
                T.copy(kernel_flat[k * block_K, bx * block_N], kernel_shared)
                T.gemm(data_shared, kernel_shared, out_local)
            T.copy(out_local, out_flat[by * block_M, bx * block_N])

    return conv1x1


def regroup(B, M, N, dtype="bfloat16"):
    """Z = X + Y on (B, M, N) tensors, read through a 3-D view (B * M // 32, 32, N): one tile row per block."""

    @T.prim_func
    def rg(X: T.Tensor((B, M, N), dtype), Y: T.Tensor((B, M, N), dtype), Z: T.Tensor((B, M, N), dtype)):
        with T.Kernel(N // 32, B * M // 32) as (bx, by):
            Xv = T.Tensor((B * M // 32, 32, N), dtype, X.data)
            Yv = T.Tensor((B * M // 32, 32, N), dtype, Y.data)
            Zv = T.Tensor((B * M // 32, 32, N), dtype, Z.data)
            xs = T.alloc_shared((32, 32), dtype)
            ys = T.alloc_shared((32, 32), dtype)
            zl = T.alloc_fragment((32, 32), dtype)
            T.copy(Xv[by, 0, bx * 32], xs)
            T.copy(Yv[by, 0:32, bx * 32:bx * 32 + 32], ys)
            for i, j in T.Parallel(32, 32):
                zl[i, j] = xs[i, j] + ys[i, j]
            T.copy(zl, Zv[by, 0, bx * 32])

    return rg


INSTANCES = {
    "conv1x1_2x8x8x64_f96": dict(factory="pointwise_conv", N=2, H=8, W=8, C=64, F=96),
    "regroup_2x64x96": dict(factory="regroup", B=2, M=64, N=96),
}
