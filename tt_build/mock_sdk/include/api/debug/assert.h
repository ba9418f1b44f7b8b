// tt-build mock SDK: ASSERT(condition) in kernels. The device checks it only with the watcher
// enabled; the mock always checks it: a false condition fails the kernel with
// "ASSERT(<condition>) failed (the device checks it with the watcher enabled)".
#pragma once

#include "tt_mock/kernel_common.h"

#define ASSERT(condition, ...)                                                                          \
    do {                                                                                                \
        if (!(condition)) {                                                                             \
            tt_mock::g_api->fail("ASSERT(" #condition ") failed (the device checks it with the watcher enabled)"); \
        }                                                                                               \
    } while (0)
