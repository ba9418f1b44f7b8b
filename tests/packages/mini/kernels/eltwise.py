import tt_build.language as T
from tiling import BLOCK


def binary(M, N, op, block_M=BLOCK, block_N=BLOCK):
    @T.prim_func
    def eltwise(A: T.Tensor((M, N), "bfloat16"), B: T.Tensor((M, N), "bfloat16"), C: T.Tensor((M, N), "bfloat16")):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            a = T.alloc_shared((block_M, block_N), "bfloat16")
            b = T.alloc_shared((block_M, block_N), "bfloat16")
            c = T.alloc_fragment((block_M, block_N), "bfloat16")
            T.copy(A[by * block_M, bx * block_N], a)
            T.copy(B[by * block_M, bx * block_N], b)
            for i, j in T.Parallel(block_M, block_N):
                if op == "add":
                    c[i, j] = a[i, j] + b[i, j]
                else:
                    c[i, j] = a[i, j] * b[i, j]
            T.copy(c, C[by * block_M, bx * block_N])

    return eltwise


INSTANCES = {
    "add_64": dict(M=64, N=64, op="add"),
    "mul_64": dict(M=64, N=64, op="mul"),
}
