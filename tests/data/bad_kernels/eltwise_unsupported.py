# T.Parallel bodies: the forms tests/test_frontend_errors.py uses (cast_narrow, store_shared) must fail in the
# front end with a located FrontendError; the others are expression trees the backend computes since issue 12.
import tt_build.language as T


def kernel(form, M=64, N=64):
    @T.prim_func
    def main(A: T.Tensor((M, N), "bfloat16"), B: T.Tensor((M, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, 32), T.ceildiv(M, 32)) as (bx, by):
            a = T.alloc_shared((32, 32), "bfloat16")
            b = T.alloc_shared((32, 32), "bfloat16")
            acc = T.alloc_fragment((32, 32), "float32")
            other = T.alloc_fragment((32, 32), "float32")
            T.copy(A[by * 32, bx * 32], a)
            T.copy(B[by * 32, bx * 32], b)
            T.clear(acc)
            T.clear(other)
            for i, j in T.Parallel(32, 32):
                if form == "min_two":
                    acc[i, j] = T.min(a[i, j], b[i, j])
                elif form == "max_two":
                    acc[i, j] = T.max(a[i, j], b[i, j])
                elif form == "max_const":
                    acc[i, j] = T.max(a[i, j], 1.0)
                elif form == "scalar":
                    acc[i, j] = a[i, j] * 2.0
                elif form == "accumulate":
                    acc[i, j] += a[i, j]
                elif form == "nested":
                    acc[i, j] = a[i, j] + b[i, j] - a[i, j]
                elif form == "unary_operand":
                    acc[i, j] = T.exp(a[i, j]) + b[i, j]
                elif form == "other_fragment":
                    acc[i, j] = T.exp(other[i, j])
                elif form == "cast_narrow":
                    acc[i, j] = T.exp(T.cast(T.float32(a[i, j]) * T.float32(b[i, j]), "bfloat16"))
                else:  # "store_shared"
                    a[i, j] = b[i, j] + b[i, j]
            T.copy(acc, C[by * 32, bx * 32])

    return main
