// Planted bug: does not compile.
#include "api/dataflow/dataflow_api.h"

void kernel_main() { undefined_function_xyz(); }
