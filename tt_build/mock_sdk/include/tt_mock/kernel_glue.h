// tt-build mock SDK: entry points exported by every compiled kernel .so (appended by the mock's
// kernel compiler after the kernel source; internal).
#pragma once

#include "tt_mock/kernel_abi.h"

namespace tt_mock {
__attribute__((visibility("hidden"))) thread_local const KernelApi* g_api = nullptr;
}

extern "C" __attribute__((visibility("default"))) unsigned tt_mock_kernel_abi_version() {
    return tt_mock::kKernelAbiVersion;
}

extern "C" __attribute__((visibility("default"))) int tt_mock_kernel_bind(const tt_mock::KernelApi* api) {
    if (api == nullptr || api->abi_version != tt_mock::kKernelAbiVersion) {
        return 1;
    }
    tt_mock::g_api = api;
    return 0;
}

extern "C" __attribute__((visibility("default"))) void tt_mock_kernel_run() { kernel_main(); }
