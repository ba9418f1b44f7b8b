# Conv2D as TileLang's convolution example writes it (tt-build issue 13, item 5): NHWC input, the im2col
# block gathered element by element in T.Parallel (zero padding through T.if_then_else), the filter
# flattened by a T.Tensor view, one T.gemm per K step. On Tenstorrent the reader assembles the im2col rows
# from row-major sticks of the input and compute tilizes them before the matmul.
import tt_build.language as T


def convolution(N, C, H, W, F, K, S, D, P, block_M=64, block_N=64, block_K=32, num_stages=2, threads=128,
                dtype="bfloat16", accum_dtype="float"):
    KH, KW = K, K
    OH = (H + 2 * P - D * (K - 1) - 1) // S + 1
    OW = (W + 2 * P - D * (K - 1) - 1) // S + 1

    @T.prim_func
    def conv(data: T.Tensor((N, H, W, C), dtype), kernel: T.Tensor((KH, KW, C, F), dtype),
             out: T.Tensor((N, OH, OW, F), dtype)):
        with T.Kernel(T.ceildiv(F, block_N), T.ceildiv(N * OH * OW, block_M), threads=threads) as (bx, by):
            data_shared = T.alloc_shared((block_M, block_K), dtype)
            kernel_shared = T.alloc_shared((block_K, block_N), dtype)
            out_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            out_shared = T.alloc_shared((block_M, block_N), dtype)
            kernel_flat = T.Tensor((KH * KW * C, F), dtype, kernel.data)
            out_flat = T.Tensor((N * OH * OW, F), dtype, out.data)

            T.clear(out_local)
            for k_iter in T.Pipelined(T.ceildiv(KH * KW * C, block_K), num_stages=num_stages):
                for i, j in T.Parallel(block_M, block_K):
                    # output pixel m (a row of the im2col matrix), filter position k (a column)
                    k = k_iter * block_K + j
                    m = by * block_M + i
                    access_h = m % (OH * OW) // OW * S + k // (KW * C) * D - P
                    access_w = m % OW * S + k // C % KW * D - P
                    in_bound = (access_h >= 0) and (access_w >= 0) and (access_h < H) and (access_w < W)
                    data_shared[i, j] = T.if_then_else(in_bound, data[m // (OH * OW), access_h, access_w, k % C], 0)
                T.copy(kernel_flat[k_iter * block_K, bx * block_N], kernel_shared)
                T.gemm(data_shared, kernel_shared, out_local)
            T.copy(out_local, out_shared)
            T.copy(out_shared, out_flat[by * block_M, bx * block_N])

    return conv




def grouped_convolution(N, C, H, W, F, K, S, P, G, block_M=64, block_N=32, block_K=32, dtype="bfloat16"):
    """G groups: output channels g * F/G .. (g + 1) * F/G - 1 see input channels g * C/G .. (g + 1) * C/G - 1
    only; the group is the third grid axis, the filter is (K, K, C/G, F) (HWIO, as PyTorch's grouped weight)."""
    Cg, Fg = C // G, F // G
    OH = (H + 2 * P - K) // S + 1
    OW = (W + 2 * P - K) // S + 1

    @T.prim_func
    def gconv(data: T.Tensor((N, H, W, C), dtype), kernel: T.Tensor((K, K, Cg, F), dtype),
              out: T.Tensor((N, OH, OW, F), dtype)):
        with T.Kernel(T.ceildiv(Fg, block_N), T.ceildiv(N * OH * OW, block_M), G) as (bx, by, bz):
            data_shared = T.alloc_shared((block_M, block_K), dtype)
            kernel_shared = T.alloc_shared((block_K, block_N), dtype)
            out_local = T.alloc_fragment((block_M, block_N), "float")
            kernel_flat = T.Tensor((K * K * Cg, F), dtype, kernel.data)
            out_flat = T.Tensor((N * OH * OW, F), dtype, out.data)
            T.clear(out_local)
            for k_iter in T.Pipelined(T.ceildiv(K * K * Cg, block_K), num_stages=2):
                for i, j in T.Parallel(block_M, block_K):
                    k = k_iter * block_K + j
                    m = by * block_M + i
                    access_h = m % (OH * OW) // OW * S + k // (K * Cg) - P
                    access_w = m % OW * S + k // Cg % K - P
                    in_bound = (access_h >= 0) and (access_w >= 0) and (access_h < H) and (access_w < W)
                    data_shared[i, j] = T.if_then_else(
                        in_bound, data[m // (OH * OW), access_h, access_w, bz * Cg + k % Cg], 0)
                T.copy(kernel_flat[k_iter * block_K, bz * Fg + bx * block_N], kernel_shared)
                T.gemm(data_shared, kernel_shared, out_local)
            T.copy(out_local, out_flat[by * block_M, bz * Fg + bx * block_N])

    return gconv


INSTANCES = {
    # the seed's row: 1x32x32x64 input, 3x3 filter, 64 output channels, stride 1, padding 1
    "conv2d_1x32x32x64_k3s1p1": dict(factory="convolution", N=1, C=64, H=32, W=32, F=64, K=3, S=1, D=1, P=1),
    # stride 2, padding 1 (16x16 output)
    "conv2d_1x32x32x64_k3s2p1": dict(factory="convolution", N=1, C=64, H=32, W=32, F=64, K=3, S=2, D=1, P=1),
    # stride 1, no padding, 32 input channels (a 34x34 input keeps the 32x32 output)
    "conv2d_1x34x34x32_k3s1p0": dict(factory="convolution", N=1, C=32, H=34, W=34, F=64, K=3, S=1, D=1, P=0),
    # two groups of 32 channels
    "conv2d_groups2_1x32x32x64": dict(factory="grouped_convolution", N=1, C=64, H=32, W=32, F=64, K=3, S=1, P=1,
                                      G=2),
}
