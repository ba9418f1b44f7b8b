# GEMMs whose output block does not fit in DST (4 float32 / 8 bfloat16 tiles): the compute kernel works in
# sub-blocks and keeps partial sums in an L1 circular buffer between K iterations; and a GEMM that reads
# its operand buffers twice per iteration (C = A @ B + A @ B).
import tt_build.language as T


def matmul(M, N, K, block_M=128, block_N=128, block_K=32, stages=2, accum_dtype="float32"):
    @T.prim_func
    def gemm_big(A: T.Tensor((M, K), "bfloat16"), B: T.Tensor((K, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), "bfloat16")
            B_shared = T.alloc_shared((block_K, block_N), "bfloat16")
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=stages):
                T.copy(A[by * block_M, k * block_K], A_shared)
                T.copy(B[k * block_K, bx * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            T.copy(C_local, C[by * block_M, bx * block_N])

    return gemm_big


def matmul_twice(M, N, K, block_M=32, block_N=32, block_K=32):
    @T.prim_func
    def gemm_twice(A: T.Tensor((M, K), "bfloat16"), B: T.Tensor((K, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), "bfloat16")
            B_shared = T.alloc_shared((block_K, block_N), "bfloat16")
            C_local = T.alloc_fragment((block_M, block_N), "float32")
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[by * block_M, k * block_K], A_shared)
                T.copy(B[k * block_K, bx * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local)
                T.gemm(A_shared, B_shared, C_local)
            T.copy(C_local, C[by * block_M, bx * block_N])

    return gemm_twice


INSTANCES = {
    "gemm_128x128_blocks": dict(M=256, N=256, K=256, factory="matmul"),
    "gemm_96_bf16_accum": dict(M=192, N=192, K=128, block_M=96, block_N=96, block_K=64, accum_dtype="bfloat16",
                               factory="matmul"),
    "gemm_128_one_k_step": dict(M=128, N=256, K=32, factory="matmul"),
    "gemm_operands_twice": dict(M=64, N=96, K=128, factory="matmul_twice"),
}
