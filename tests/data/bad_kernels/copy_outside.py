# Bad kernel (T.copy called at Python level): intrinsics only exist inside @T.prim_func bodies.
import tt_build.language as T


def kernel(M=256, N=256):
    A = T.Tensor((M, N), "bfloat16")
    T.copy(A, None)
    return A
