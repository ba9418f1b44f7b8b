# Bad kernel (an L1-sharded tensor: lowers to partition mode local_shard, but the host program cannot create
# sharded buffers on the mock SDK yet): emitting it must fail in CodegenTT, located at the layout annotation.
import tt_build.language as T


def kernel(M=256, N=256, layout="l1_height_sharded", dtype="bfloat16"):
    @T.prim_func
    def main(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        T.annotate_layout({A: layout})
        with T.Kernel(T.ceildiv(N, 32), T.ceildiv(M, 32)) as (bx, by):
            A_shared = T.alloc_shared((32, 32), dtype)
            B_shared = T.alloc_shared((32, 32), dtype)
            C_local = T.alloc_fragment((32, 32), dtype)
            T.copy(A[by * 32, bx * 32], A_shared)
            T.copy(B[by * 32, bx * 32], B_shared)
            for i, j in T.Parallel(32, 32):
                C_local[i, j] = A_shared[i, j] + B_shared[i, j]
            T.copy(C_local, C[by * 32, bx * 32])

    return main
