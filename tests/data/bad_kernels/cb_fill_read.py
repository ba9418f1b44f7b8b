# Bad kernels (fills and reads of an on-chip buffer that a circular buffer cannot hand over: a block filled
# outside the loop that reads it, filled in a loop and read after it, filled twice, or a fragment computed
# and never used): each must fail in BuildTileDFGTT, located at the offending statement.
import tt_build.language as T


def kernel(form, M=64, N=64, K=128):
    @T.prim_func
    def main(A: T.Tensor((M, K), "bfloat16"), B: T.Tensor((K, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, 32), T.ceildiv(M, 32)) as (bx, by):
            a = T.alloc_shared((32, 32), "bfloat16")
            b = T.alloc_shared((32, 32), "bfloat16")
            acc = T.alloc_fragment((32, 32), "float32")
            T.clear(acc)
            if form == "outside_loop":
                T.copy(A[by * 32, 0], a)
                for k in T.serial(K // 32):
                    T.copy(B[k * 32, bx * 32], b)
                    T.gemm(a, b, acc)
            elif form == "after_loop":
                for k in T.serial(K // 32):
                    T.copy(A[by * 32, k * 32], a)
                    T.copy(B[k * 32, bx * 32], b)
                T.gemm(a, b, acc)
            elif form == "unread":
                T.copy(A[by * 32, 0], a)
                T.copy(A[by * 32, 32], a)
                T.copy(B[0, bx * 32], b)
                T.gemm(a, b, acc)
            elif form == "twice":
                T.copy(A[by * 32, 0], a)
                T.copy(B[0, bx * 32], b)
                T.gemm(a, b, acc)
                T.copy(A[by * 32, 32], a)
                T.copy(B[32, bx * 32], b)
                T.gemm(a, b, acc)
            else:  # "unused_fragment"
                extra = T.alloc_fragment((32, 32), "float32")
                T.copy(A[by * 32, 0], a)
                T.copy(B[0, bx * 32], b)
                T.gemm(a, b, acc)
                for i, j in T.Parallel(32, 32):
                    extra[i, j] = T.exp(a[i, j])
            T.copy(acc, C[by * 32, bx * 32])

    return main
