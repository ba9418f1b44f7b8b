# Bad kernel (a T.copy start index divided by a runtime value): must fail in PropagateTTLayout, located at
# the copy, instead of an internal error.
import tt_build.language as T


def kernel(M=64, N=64):
    @T.prim_func
    def main(A: T.Tensor((M, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(N // 32, M // 32) as (bx, by):
            a = T.alloc_shared((32, 32), "bfloat16")
            T.copy(A[(bx // (by + 1)) * 32, bx * 32], a)
            T.copy(a, C[by * 32, bx * 32])

    return main
