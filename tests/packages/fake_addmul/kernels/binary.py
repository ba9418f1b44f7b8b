# Fake kernel for the build tests (tests/fake_emitter.py "lowers" it).
from helpers import checked


def binary(M, N, op):
    return {"op": op, "shape": checked([M, N])}


INSTANCES = {
    "add_64": dict(M=64, N=64, op="add"),
    "mul_64": dict(M=64, N=64, op="mul"),
}
