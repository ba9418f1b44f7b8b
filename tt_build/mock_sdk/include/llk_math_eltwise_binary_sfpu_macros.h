// tt-build mock SDK: stand-in for the LLK binary-SFPU macro header (ttnn's kernel_lib includes it before
// api/compute/copy_dest_values.h). The mock's binary SFPU calls need no LLK macros.
#pragma once

#include "api/compute/common_globals.h"
