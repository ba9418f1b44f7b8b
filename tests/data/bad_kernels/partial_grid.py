# Bad kernel (the T.Kernel grid covers half of the output: N // 64 blocks of 32 columns): must fail in
# LayoutAwareWorkPartitionTT, located at the copy into the output, instead of leaving tiles unwritten.
import tt_build.language as T


def kernel(M=64, N=128, block=32):
    @T.prim_func
    def main(A: T.Tensor((M, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(N // 64, M // block) as (bx, by):
            a = T.alloc_shared((block, block), "bfloat16")
            c = T.alloc_fragment((block, block), "bfloat16")
            T.copy(A[by * block, bx * block], a)
            for i, j in T.Parallel(block, block):
                c[i, j] = T.exp(a[i, j])
            T.copy(c, C[by * block, bx * block])

    return main
