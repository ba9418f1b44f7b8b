// tt-build mock SDK: stand-in for the LLK SFPU header of copy_dest_values (ttnn's kernel_lib includes it
// before api/compute/copy_dest_values.h). The mock's copy_dest_values needs no LLK code.
#pragma once

#include "api/compute/common_globals.h"
