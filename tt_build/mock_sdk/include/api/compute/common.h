// tt-build mock SDK: umbrella of the basic compute-kernel API.
#pragma once

#include "api/compute/common_globals.h"
#include "api/compute/cb_api.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/reg_api.h"
#include "api/compute/pack.h"
#include "api/compute/reconfig_data_format.h"
#include "api/compute/src_order.h"

using namespace ckernel;
