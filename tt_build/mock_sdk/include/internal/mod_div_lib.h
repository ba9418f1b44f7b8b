// tt-build mock SDK: the integer helper of tt-metal's internal/mod_div_lib.h that ttnn's matmul kernels use.
#pragma once

#include <cstdint>

// a * b (the device library spells out the multiplication for cores without a multiplier)
inline __attribute__((always_inline)) unsigned int mulsi3(unsigned int a, unsigned int b) { return a * b; }
