# Bad kernel (T.reduce_sum into a 2-D fragment): must fail with a located FrontendError.
import tt_build.language as T


def kernel(M=64, N=64):
    @T.prim_func
    def main(A: T.Tensor((M, N), "bfloat16"), C: T.Tensor((M, 32), "bfloat16")):
        with T.Kernel(1, T.ceildiv(M, 32)) as (bx, by):
            A_shared = T.alloc_shared((32, N), "bfloat16")
            C_local = T.alloc_fragment((32, 32), "float32")
            T.copy(A[by * 32, 0], A_shared)
            T.reduce_sum(A_shared, C_local, dim=1)
            T.copy(C_local, C[by * 32, 0])

    return main
