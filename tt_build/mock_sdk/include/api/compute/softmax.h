// tt-build mock SDK: the compute headers ttnn's softmax kernels include through this umbrella.
#pragma once

#include "api/compute/eltwise_unary/exp.h"
#include "api/compute/eltwise_unary/recip.h"
