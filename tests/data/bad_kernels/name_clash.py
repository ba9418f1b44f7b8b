# Bad kernel (tensor `cb` and on-chip buffer `addr` both give the C++ name cb_addr): emitting it must fail in
# CodegenTT, located at the on-chip buffer.
import tt_build.language as T


def kernel(M=64, N=64):
    @T.prim_func
    def main(cb: T.Tensor((M, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(N // 32, M // 32) as (bx, by):
            addr = T.alloc_shared((32, 32), "bfloat16")
            T.copy(cb[by * 32, bx * 32], addr)
            T.copy(addr, C[by * 32, bx * 32])

    return main
