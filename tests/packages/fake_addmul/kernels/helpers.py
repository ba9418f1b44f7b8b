# A local module imported by the kernels (must be in their depfile and cache key).
def checked(shape):
    assert all(d % 32 == 0 for d in shape)
    return shape
