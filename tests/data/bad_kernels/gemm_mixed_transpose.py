# Bad kernel (one T.gemm with transpose_B and one without in the same kernel): must fail in
# InsertDSTManagementTT, located at the T.gemm that differs from the first one.
import tt_build.language as T


def kernel(M=64, N=64, K=64):
    @T.prim_func
    def main(A: T.Tensor((M, K), "bfloat16"), B: T.Tensor((K, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(N // 32, M // 32) as (bx, by):
            a = T.alloc_shared((32, 32), "bfloat16")
            b = T.alloc_shared((32, 32), "bfloat16")
            acc = T.alloc_fragment((32, 32), "float32")
            T.clear(acc)
            for k in T.serial(K // 32):
                T.copy(A[by * 32, k * 32], a)
                T.copy(B[k * 32, bx * 32], b)
                T.gemm(a, b, acc)
                T.gemm(a, b, acc, transpose_B=True)
            T.copy(acc, C[by * 32, bx * 32])

    return main
