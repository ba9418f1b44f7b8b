# Local helper module imported by the kernels (the build tracks it as a dependency).
BLOCK = 32
