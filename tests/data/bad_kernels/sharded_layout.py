# Bad kernel (an L1-sharded tensor that no partition can shard: every block of a column reads the same
# tile of the one-tile-row tensor A, so a tile would have to live on several cores): a located diagnostic at
# the layout annotation.
import tt_build.language as T


def kernel(M=256, N=256, layout="l1_height_sharded", dtype="bfloat16"):
    @T.prim_func
    def main(A: T.Tensor((32, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        T.annotate_layout({A: layout})
        with T.Kernel(T.ceildiv(N, 32), T.ceildiv(M, 32)) as (bx, by):
            A_shared = T.alloc_shared((32, 32), dtype)
            B_shared = T.alloc_shared((32, 32), dtype)
            C_local = T.alloc_fragment((32, 32), dtype)
            T.copy(A[0, bx * 32], A_shared)
            T.copy(B[by * 32, bx * 32], B_shared)
            for i, j in T.Parallel(32, 32):
                C_local[i, j] = A_shared[i, j] + B_shared[i, j]
            T.copy(C_local, C[by * 32, bx * 32])

    return main
