# Bad kernel (fragment f is filled, then another fragment is computed and copied out, then f is computed
# and copied out: f would stay live in DST across acc's computation): must fail in InsertDSTManagementTT,
# located, instead of unbalanced tile_regs_* calls.
import tt_build.language as T


def kernel(M=64, N=64):
    @T.prim_func
    def main(A: T.Tensor((M, N), "bfloat16"), B: T.Tensor((M, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(N // 32, M // 32) as (bx, by):
            a = T.alloc_shared((32, 32), "bfloat16")
            b = T.alloc_shared((32, 32), "bfloat16")
            s = T.alloc_shared((32, 32), "bfloat16")
            acc = T.alloc_fragment((32, 32), "float32")
            f = T.alloc_fragment((32, 32), "float32")
            T.fill(f, 2.0)
            T.copy(A[by * 32, bx * 32], a)
            T.copy(B[by * 32, bx * 32], b)
            for i, j in T.Parallel(32, 32):
                acc[i, j] = a[i, j] + b[i, j]
            T.copy(acc, s)
            for i, j in T.Parallel(32, 32):
                f[i, j] = T.exp(s[i, j])
            T.copy(f, C[by * 32, bx * 32])

    return main
