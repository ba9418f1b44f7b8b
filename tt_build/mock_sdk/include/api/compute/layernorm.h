// tt-build mock SDK: the compute headers ttnn's layernorm kernels include through this umbrella.
#pragma once

#include "api/compute/compute_kernel_api.h"
#include "api/compute/eltwise_unary/rsqrt.h"
