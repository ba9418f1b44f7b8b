# Bad kernel (two T.gemm accumulators live in DST at the same time, both carried across the K loop):
# must fail in InsertDSTManagementTT, located at the second accumulator.
import tt_build.language as T


def kernel(M=64, N=64, K=64, block_M=32, block_N=32, block_K=32):
    @T.prim_func
    def main(A: T.Tensor((M, K), "bfloat16"), B: T.Tensor((K, N), "bfloat16"), B2: T.Tensor((K, N), "bfloat16"),
             C: T.Tensor((M, N), "bfloat16"), C2: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), "bfloat16")
            B_shared = T.alloc_shared((block_K, block_N), "bfloat16")
            B2_shared = T.alloc_shared((block_K, block_N), "bfloat16")
            C_local = T.alloc_fragment((block_M, block_N), "float32")
            C2_local = T.alloc_fragment((block_M, block_N), "float32")
            T.clear(C_local)
            T.clear(C2_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[by * block_M, k * block_K], A_shared)
                T.copy(B[k * block_K, bx * block_N], B_shared)
                T.copy(B2[k * block_K, bx * block_N], B2_shared)
                T.gemm(A_shared, B_shared, C_local)
                T.gemm(A_shared, B2_shared, C2_local)
            T.copy(C_local, C[by * block_M, bx * block_N])
            T.copy(C2_local, C2[by * block_M, bx * block_N])

    return main
