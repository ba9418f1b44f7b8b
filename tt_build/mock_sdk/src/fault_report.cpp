// tt-build mock SDK runtime: naming the kernel that crashed the process (see fault_report.hpp).
//
// The signal handler only uses async-signal-safe calls (write, sigaction, raise, syscall) and reads
// state prepared before the run: a fixed table of (thread id, running executor) slots.
#include "fault_report.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace tt::tt_metal::tt_mock_impl::fault_report {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr int kNumSignals = sizeof kSignals / sizeof kSignals[0];
constexpr int kSlots = 64;                  // threads running programs at the same time
constexpr std::size_t kAltStack = 64 * 1024;

struct Slot {
    std::atomic<long> tid{0};
    std::atomic<const Running*> running{nullptr};
};

Slot g_slots[kSlots];
std::mutex g_mu;
int g_users = 0;
struct sigaction g_old[kNumSignals];
std::atomic<int> g_fd{-1};  // -1: stderr with the usual prefix
thread_local int t_slot = -1;

long this_tid() { return static_cast<long>(syscall(SYS_gettid)); }

// A line assembled without allocation.
struct Line {
    char buf[1024];
    std::size_t n = 0;
    void add(const char* s) {
        while (*s != '\0' && n + 1 < sizeof buf) buf[n++] = *s++;
    }
    void hex(std::uintptr_t v) {
        char tmp[2 + 2 * sizeof v + 1];
        int i = sizeof tmp - 1;
        tmp[i] = '\0';
        do {
            tmp[--i] = "0123456789abcdef"[v & 0xf];
            v >>= 4;
        } while (v != 0);
        tmp[--i] = 'x';
        tmp[--i] = '0';
        add(tmp + i);
    }
    void dec(std::size_t v) {
        char tmp[24];
        int i = sizeof tmp - 1;
        tmp[i] = '\0';
        do {
            tmp[--i] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        add(tmp + i);
    }
    void emit() {
        buf[n++] = '\n';
        const int fd = g_fd.load(std::memory_order_relaxed);
        const int out = fd >= 0 ? fd : STDERR_FILENO;
        for (std::size_t done = 0; done < n;) {
            const ssize_t w = write(out, buf + done, n - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return;
            done += static_cast<std::size_t>(w);
        }
    }
};

const Running* running_on(long tid) {
    for (auto& s : g_slots) {
        if (s.tid.load(std::memory_order_relaxed) == tid) return s.running.load(std::memory_order_relaxed);
    }
    return nullptr;
}

void describe_fault(Line& line, int sig, const siginfo_t* info, const Running& r) {
    const auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
    switch (sig) {
        case SIGSEGV:
            if (addr >= r.guard_begin && addr < r.guard_end) {
                line.add("SIGSEGV (stack overflow: the kernel needs more than its ");
                line.dec(r.stack_kib);
                line.add(" KiB stack; set TT_MOCK_STACK_KB for more)");
            } else {
                line.add("SIGSEGV (invalid memory access at address ");
                line.hex(addr);
                line.add(")");
            }
            return;
        case SIGBUS:
            line.add("SIGBUS (bus error at address ");
            line.hex(addr);
            line.add(")");
            return;
        case SIGFPE: line.add("SIGFPE (arithmetic exception, e.g. an integer division by zero)"); return;
        case SIGILL: line.add("SIGILL (illegal instruction)"); return;
        case SIGABRT: line.add("SIGABRT (the kernel called abort(), e.g. through a failed assert)"); return;
        default: line.add("signal "); line.dec(static_cast<std::size_t>(sig)); return;
    }
}

void on_fault(int sig, siginfo_t* info, void*) {
    const int saved_errno = errno;
    if (const Running* r = running_on(this_tid())) {
        Line line;
        line.add("TT-Metalium mock: ");
        line.add(r->label);
        line.add(": ");
        describe_fault(line, sig, info, *r);
        line.emit();
    }
    // Hand the signal to the previous disposition: a fault raised by an instruction happens again
    // when the handler returns; a sent one (abort(), kill) is sent again and delivered on return.
    for (int i = 0; i < kNumSignals; ++i) {
        if (kSignals[i] == sig) sigaction(sig, &g_old[i], nullptr);
    }
    if (info->si_code <= 0) raise(sig);
    errno = saved_errno;
}

}  // namespace

void describe(Running& r, const char* label, const void* guard, std::size_t stack_bytes) noexcept {
    std::strncpy(r.label, label, sizeof r.label - 1);
    r.label[sizeof r.label - 1] = '\0';
    r.guard_begin = reinterpret_cast<std::uintptr_t>(guard);
    r.guard_end = r.guard_begin + 4096;
    r.stack_kib = stack_bytes / 1024;
}

void set_running(const Running* r) noexcept {
    if (t_slot >= 0) g_slots[t_slot].running.store(r, std::memory_order_relaxed);
}

Scope::Scope() {
    const long tid = this_tid();
    for (int i = 0; i < kSlots; ++i) {
        long expected = 0;
        if (g_slots[i].tid.compare_exchange_strong(expected, tid)) {
            slot_ = i;
            break;
        }
    }
    t_slot = slot_;
    {
        std::lock_guard<std::mutex> lock(g_mu);
        if (g_users++ == 0) {
            const char* fd = std::getenv("TT_MOCK_FAULT_FD");
            g_fd.store(fd != nullptr && *fd != '\0' ? std::atoi(fd) : -1);
            struct sigaction sa {};
            sa.sa_sigaction = &on_fault;
            sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
            sigemptyset(&sa.sa_mask);
            for (int i = 0; i < kNumSignals; ++i) sigaction(kSignals[i], &sa, &g_old[i]);
        }
    }
    // A stack overflow leaves no stack to run the handler on: give this thread an alternate one
    // unless it has one already (Python's faulthandler installs its own).
    stack_t cur{};
    if (sigaltstack(nullptr, &cur) == 0 && (cur.ss_flags & SS_DISABLE)) {
        void* p = mmap(nullptr, kAltStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            stack_t ss{};
            ss.ss_sp = p;
            ss.ss_size = kAltStack;
            if (sigaltstack(&ss, nullptr) == 0) {
                altstack_ = p;
            } else {
                munmap(p, kAltStack);
            }
        }
    }
}

Scope::~Scope() {
    if (altstack_ != nullptr) {
        stack_t ss{};
        ss.ss_flags = SS_DISABLE;
        sigaltstack(&ss, nullptr);
        munmap(altstack_, kAltStack);
    }
    {
        std::lock_guard<std::mutex> lock(g_mu);
        if (--g_users == 0) {
            for (int i = 0; i < kNumSignals; ++i) sigaction(kSignals[i], &g_old[i], nullptr);
        }
    }
    if (slot_ >= 0) {
        g_slots[slot_].running.store(nullptr);
        g_slots[slot_].tid.store(0);
    }
    t_slot = -1;
}

void timeout(unsigned seconds) noexcept {
    if (g_fd.load() < 0) return;  // stderr: the watchdog's own message says it
    for (auto& s : g_slots) {
        const Running* r = s.running.load(std::memory_order_relaxed);
        if (r == nullptr) continue;
        Line line;
        line.add("TT-Metalium mock: ");
        line.add(r->label);
        line.add(": did not finish within ");
        line.dec(seconds);
        line.add(" s (TT_MOCK_TIMEOUT): an endless loop that never calls the device API?");
        line.emit();
        return;
    }
}

}  // namespace tt::tt_metal::tt_mock_impl::fault_report
