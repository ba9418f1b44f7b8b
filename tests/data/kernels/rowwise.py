"""Row-wise kernels written the way TileLang writes them (only the import differs): softmax, online
softmax, layernorm, rmsnorm, an FMA and element-wise chains."""

import tt_build.language as T


def softmax(M, N, block_M=32, dtype: T.dtype = "bfloat16", accum_dtype: T.dtype = "float"):
    @T.prim_func
    def main(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M), threads=128) as bx:
            x = T.alloc_shared((block_M, N), dtype)
            y = T.alloc_fragment((block_M, N), accum_dtype)
            row_max = T.alloc_fragment((block_M,), accum_dtype)
            row_sum = T.alloc_fragment((block_M,), accum_dtype)
            T.copy(X[bx * block_M, 0], x)
            T.reduce_max(x, row_max, dim=1)
            for i, j in T.Parallel(block_M, N):
                y[i, j] = T.exp(x[i, j] - row_max[i])
            T.reduce_sum(y, row_sum, dim=1)
            for i, j in T.Parallel(block_M, N):
                y[i, j] = y[i, j] / row_sum[i]
            T.copy(y, Y[bx * block_M, 0])

    return main


def online_softmax(M, N, block_M=32, block_N=128, dtype="bfloat16", accum_dtype="float"):
    scale = 1.44269504  # log2(e): exp(x) = exp2(x * log2(e))

    @T.prim_func
    def main(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            x = T.alloc_shared((block_M, block_N), dtype)
            p = T.alloc_fragment((block_M, block_N), accum_dtype)
            y = T.alloc_fragment((block_M, block_N), dtype)
            m = T.alloc_fragment((block_M,), accum_dtype)
            m_prev = T.alloc_fragment((block_M,), accum_dtype)
            l = T.alloc_fragment((block_M,), accum_dtype)  # noqa: E741 - TileLang's name
            s = T.alloc_fragment((block_M,), accum_dtype)
            T.fill(m, -T.infinity(accum_dtype))
            T.fill(l, 0)
            for k in T.Pipelined(T.ceildiv(N, block_N), num_stages=2):
                T.copy(X[bx * block_M, k * block_N], x)
                T.copy(m, m_prev)
                T.reduce_max(x, m, dim=1, clear=False)
                for i, j in T.Parallel(block_M, block_N):
                    p[i, j] = T.exp2(x[i, j] * scale - m[i] * scale)
                T.reduce_sum(p, s, dim=1)
                for i in T.Parallel(block_M):
                    l[i] = l[i] * T.exp2(m_prev[i] * scale - m[i] * scale) + s[i]
            for k in T.Pipelined(T.ceildiv(N, block_N), num_stages=2):
                T.copy(X[bx * block_M, k * block_N], x)
                for i, j in T.Parallel(block_M, block_N):
                    y[i, j] = T.exp2(x[i, j] * scale - m[i] * scale) / l[i]
                T.copy(y, Y[bx * block_M, k * block_N])

    return main


def layernorm(M, N, block_M=32, eps=1e-5, dtype="bfloat16", accum_dtype="float"):
    @T.prim_func
    def main(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            x = T.alloc_shared((block_M, N), dtype)
            xc = T.alloc_fragment((block_M, N), accum_dtype)
            y = T.alloc_fragment((block_M, N), dtype)
            mean = T.alloc_fragment((block_M,), accum_dtype)
            var = T.alloc_fragment((block_M,), accum_dtype)
            T.copy(X[bx * block_M, 0], x)
            T.reduce_sum(x, mean, dim=1)
            for i in T.Parallel(block_M):
                mean[i] = mean[i] / N
            for i, j in T.Parallel(block_M, N):
                xc[i, j] = x[i, j] - mean[i]
            for i, j in T.Parallel(block_M, N):
                y[i, j] = xc[i, j] * xc[i, j]
            T.reduce_sum(y, var, dim=1)
            for i in T.Parallel(block_M):
                var[i] = T.rsqrt(var[i] / N + eps)
            for i, j in T.Parallel(block_M, N):
                y[i, j] = xc[i, j] * var[i]
            T.copy(y, Y[bx * block_M, 0])

    return main


def rmsnorm(M, N, block_M=32, eps=1e-6, dtype="bfloat16"):
    @T.prim_func
    def main(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M), threads=128) as bx:
            A_shared = T.alloc_shared((block_M, N), dtype)
            A_pow2 = T.alloc_fragment((block_M, N), "float")
            A_local = T.alloc_fragment((block_M, N), dtype)
            A_powsum = T.alloc_fragment((block_M,), "float")
            T.copy(A[bx * block_M, 0], A_shared)
            for i, j in T.Parallel(block_M, N):
                A_pow2[i, j] = A_shared[i, j] * A_shared[i, j]
            T.reduce_sum(A_pow2, A_powsum, dim=1)
            for i in T.Parallel(block_M):
                A_powsum[i] = T.rsqrt(A_powsum[i] / N + eps)
            for i, j in T.Parallel(block_M, N):
                A_local[i, j] = A_shared[i, j] * A_powsum[i]
            T.copy(A_local, B[bx * block_M, 0])

    return main


def fma(M, N, block_M=32, block_N=32, dtype="bfloat16"):
    @T.prim_func
    def main(P: T.Tensor((M, N), dtype), Q: T.Tensor((M, N), dtype), R: T.Tensor((M, N), dtype),
             S: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            p = T.alloc_shared((block_M, block_N), dtype)
            q = T.alloc_shared((block_M, block_N), dtype)
            r = T.alloc_shared((block_M, block_N), dtype)
            s = T.alloc_fragment((block_M, block_N), dtype)
            T.copy(P[by * block_M, bx * block_N], p)
            T.copy(Q[by * block_M, bx * block_N], q)
            T.copy(R[by * block_M, bx * block_N], r)
            for i, j in T.Parallel(block_M, block_N):
                s[i, j] = p[i, j] * q[i, j] + r[i, j]
            T.copy(s, S[by * block_M, bx * block_N])

    return main


def chain(M, N, op, block_M=32, block_N=64, dtype="bfloat16", acc="float"):
    @T.prim_func
    def main(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            a = T.alloc_shared((block_M, block_N), dtype)
            b = T.alloc_shared((block_M, block_N), dtype)
            c = T.alloc_fragment((block_M, block_N), acc)
            T.copy(A[by * block_M, bx * block_N], a)
            T.copy(B[by * block_M, bx * block_N], b)
            for i, j in T.Parallel(block_M, block_N):
                if op == "scale_shift":
                    c[i, j] = a[i, j] * 0.5 + b[i, j] * 2.0 - 1.0
                elif op == "mix":
                    c[i, j] = (a[i, j] - b[i, j]) * (a[i, j] + b[i, j]) / 4.0
                elif op == "acc":
                    c[i, j] = a[i, j] * 2.0
                    c[i, j] += b[i, j]
                    c[i, j] *= a[i, j]
                elif op == "act":
                    c[i, j] = T.sigmoid(a[i, j]) * T.tanh(b[i, j]) + T.silu(a[i, j])
                elif op == "select":
                    c[i, j] = T.if_then_else(a[i, j] > b[i, j], a[i, j] - b[i, j], T.max(b[i, j], 0.25))
                elif op == "clamp":
                    c[i, j] = T.clamp(a[i, j] * 3.0, -1.0, 1.0) + T.min(a[i, j], b[i, j])
            T.copy(c, C[by * block_M, bx * block_N])

    return main


def reduce_kinds(M, N, kind, dim=1, block_M=32, dtype="bfloat16"):
    """x minus its row (dim=1) or column (dim=0) min / abs-sum / abs-max, one block of rows per core."""
    n = block_M if dim == 1 else N

    @T.prim_func
    def main(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            x = T.alloc_shared((block_M, N), dtype)
            v = T.alloc_fragment((n,), "float")
            y = T.alloc_fragment((block_M, N), "float")
            T.copy(X[bx * block_M, 0], x)
            if kind == "min":
                T.reduce_min(x, v, dim=dim)
            elif kind == "abssum":
                T.reduce_abssum(x, v, dim=dim)
            else:
                T.reduce_absmax(x, v, dim=dim)
            for i, j in T.Parallel(block_M, N):
                if dim == 1:
                    y[i, j] = x[i, j] - v[i]
                else:
                    y[i, j] = x[i, j] - v[j]
            T.copy(y, Y[bx * block_M, 0])

    return main


#: one T.Parallel store per op of the math library (positive operands where the op needs them; `b * 0.0`
#: only makes every tensor an input)
MATH_OPS = ("exp2", "log", "log2", "sqrt", "rsqrt", "recip", "div", "div_const", "abs_neg", "max_min", "gelu", "erf",
            "pow", "where", "sub_from_block")


def math1(M, N, op, block_M=32, block_N=64, dtype="bfloat16"):
    @T.prim_func
    def main(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            a = T.alloc_shared((block_M, block_N), dtype)
            b = T.alloc_shared((block_M, block_N), dtype)
            c = T.alloc_fragment((block_M, block_N), "float")
            T.copy(A[by * block_M, bx * block_N], a)
            T.copy(B[by * block_M, bx * block_N], b)
            for i, j in T.Parallel(block_M, block_N):
                if op == "exp2":
                    c[i, j] = T.exp2(a[i, j] * 4.0) + b[i, j] * 0.0
                elif op == "log":
                    c[i, j] = T.log(T.abs(a[i, j]) + 0.5) + b[i, j] * 0.0
                elif op == "log2":
                    c[i, j] = T.log2(T.abs(a[i, j]) + 0.5) + b[i, j] * 0.0
                elif op == "sqrt":
                    c[i, j] = T.sqrt(T.abs(a[i, j])) + b[i, j] * 0.0
                elif op == "rsqrt":
                    c[i, j] = T.rsqrt(T.abs(a[i, j]) + 0.25) + b[i, j] * 0.0
                elif op == "recip":
                    c[i, j] = 1.0 / (T.abs(a[i, j]) + 0.25) + b[i, j] * 0.0
                elif op == "div":
                    c[i, j] = a[i, j] / (T.abs(b[i, j]) + 0.5)
                elif op == "div_const":
                    c[i, j] = a[i, j] / 3.0 - 2.0 / (b[i, j] + 4.0)
                elif op == "abs_neg":
                    c[i, j] = T.abs(a[i, j]) - b[i, j]
                elif op == "max_min":
                    c[i, j] = T.max(a[i, j], b[i, j]) * 2.0 + T.min(a[i, j] * 4.0, 1.5)
                elif op == "gelu":
                    c[i, j] = T.gelu(a[i, j] * 3.0) + b[i, j] * 0.0
                elif op == "erf":
                    c[i, j] = T.erf(a[i, j] * 2.0) + b[i, j] * 0.0
                elif op == "pow":
                    c[i, j] = T.pow(a[i, j], 3) + T.pow(T.abs(b[i, j]) + 0.5, 0.5)
                elif op == "where":
                    c[i, j] = T.where(a[i, j] <= 0.25, T.exp(a[i, j]), b[i, j] * b[i, j])
                else:  # sub_from_block: a block minus a computed value (reuse-dest, DEST_TO_SRCB)
                    c[i, j] = b[i, j] - T.exp(a[i, j])
            T.copy(c, C[by * block_M, bx * block_N])

    return main


def deep_tree(M, N, block_M=32, block_N=64, dtype="bfloat16", acc="bfloat16"):
    """One store whose expression tree needs 9 DST registers (a right-nested chain of 8 SFPU binary ops on
    computed values): more than DST holds (8 tiles; 4 with float32 accumulation), so parts are staged."""
    @T.prim_func
    def main(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            a = T.alloc_shared((block_M, block_N), dtype)
            b = T.alloc_shared((block_M, block_N), dtype)
            c = T.alloc_fragment((block_M, block_N), acc)
            T.copy(A[by * block_M, bx * block_N], a)
            T.copy(B[by * block_M, bx * block_N], b)
            for i, j in T.Parallel(block_M, block_N):
                c[i, j] = T.exp(a[i, j] * 0.5) * (T.exp(b[i, j] * 0.5) + (T.exp(a[i, j] * 0.25) * (
                    T.sigmoid(b[i, j]) - (T.exp(b[i, j] * 0.25) * (T.tanh(a[i, j]) + (T.exp(a[i, j] * 0.5) * (
                        T.sigmoid(a[i, j]) - (T.exp(b[i, j] * 0.5) * T.tanh(b[i, j])))))))))
            T.copy(c, C[by * block_M, bx * block_N])

    return main


INSTANCES = {
    "softmax_256x1024": dict(factory="softmax", M=256, N=1024),
    "softmax_128x4096": dict(factory="softmax", M=128, N=4096),
    "softmax_half_64x256": dict(factory="softmax", M=64, N=256, dtype="float16"),
    "online_softmax_64x512": dict(factory="online_softmax", M=64, N=512),
    "layernorm_64x256": dict(factory="layernorm", M=64, N=256),
    "rmsnorm_64x512": dict(factory="rmsnorm", M=64, N=512),
    "fma_64x64": dict(factory="fma", M=64, N=64),
    "chain_scale_shift": dict(factory="chain", M=64, N=128, op="scale_shift"),
    "chain_mix": dict(factory="chain", M=64, N=128, op="mix"),
    "chain_acc": dict(factory="chain", M=64, N=128, op="acc"),
    "chain_act": dict(factory="chain", M=64, N=128, op="act"),
    "chain_select": dict(factory="chain", M=64, N=128, op="select"),
    "chain_clamp": dict(factory="chain", M=64, N=128, op="clamp"),
    "chain_mix_half": dict(factory="chain", M=64, N=128, op="mix", acc="half"),
    "reduce_min_rows": dict(factory="reduce_kinds", M=64, N=128, kind="min"),
    "reduce_abssum_rows": dict(factory="reduce_kinds", M=64, N=128, kind="abssum"),
    "reduce_absmax_cols": dict(factory="reduce_kinds", M=32, N=128, kind="absmax", dim=0),
    **{f"math_{op}": dict(factory="math1", M=32, N=128, op=op) for op in MATH_OPS},
    "deep_tree": dict(factory="deep_tree", M=64, N=128),
    "deep_tree_fp32": dict(factory="deep_tree", M=64, N=128, acc="float"),
}
