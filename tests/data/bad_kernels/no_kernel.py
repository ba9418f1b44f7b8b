# Bad kernel (no T.Kernel block): must fail with a located FrontendError.
import tt_build.language as T


def kernel(M=256, N=256, K=256, block_M=32, block_N=32, block_K=32, dtype="bfloat16"):
    @T.prim_func
    def main(
        A: T.Tensor((M, K), dtype),
        B: T.Tensor((K, N), dtype),
        C: T.Tensor((M, N), dtype),
    ):
        pass

    return main
