// tt-build mock SDK runtime: naming the kernel that crashed the process.
//
// Kernels are native code running in the host process: a null dereference, a wild write, a stack
// overflow or std::abort() ends the process with a signal. While run_program runs kernels, handlers
// for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT (on an alternate signal stack, so that a stack
// overflow is reported too) write one line naming the core, processor and kernel that was running on
// the faulting thread and the fault, then hand the signal on to the disposition installed before
// (by default the process ends with that signal). The line goes to stderr, or, when $TT_MOCK_FAULT_FD
// names a file descriptor (tt-build's Python runtime runs the device in a child process and reads
// it from there), to that descriptor alone.
#pragma once

#include <cstdint>

namespace tt::tt_metal::tt_mock_impl::fault_report {

// What the handlers say about one executor; filled before the run starts.
struct Running {
    char label[512] = {};                           // "core (0,0) RISCV_1 (NCRISC) data movement kernel '...'"
    std::uintptr_t guard_begin = 0, guard_end = 0;  // the guard page below the executor's stack
    std::size_t stack_kib = 0;
};

void describe(Running& r, const char* label, const void* guard, std::size_t stack_bytes) noexcept;

// The executor this thread resumes next (nullptr when it is back in the scheduler).
void set_running(const Running* r) noexcept;

// Installs the handlers (and an alternate signal stack on this thread) for the life of one run.
class Scope {
public:
    Scope();
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

private:
    int slot_ = -1;
    void* altstack_ = nullptr;
};

// Called by the watchdog just before it ends the process: writes the timeout line (descriptor only).
void timeout(unsigned seconds) noexcept;

}  // namespace tt::tt_metal::tt_mock_impl::fault_report
