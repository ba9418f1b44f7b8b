// tt-build mock SDK: TT_THROW / TT_FATAL / TT_ASSERT. They throw std::runtime_error with the
// {fmt}-formatted message, prefixed like tt-metal's: "TT_FATAL @ <file>:<line>: <condition>" then
// "info:" and the message. TT_ASSERT checks only in builds with DEBUG defined (as in tt-metal).
#pragma once

#include <stdexcept>
#include <string>

#include <fmt/base.h>

namespace tt::assert {
template <typename... Args>
[[noreturn]] void tt_throw(const char* file, int line, const char* assert_type, const char* condition,
                           fmt::format_string<Args...> fmt, Args&&... args) {
    std::string msg = std::string(assert_type) + " @ " + file + ":" + std::to_string(line) + ": " + condition;
    const std::string info = fmt::vformat_args(fmt.str, args...);
    if (!info.empty()) msg += "\ninfo:\n" + info;
    throw std::runtime_error(msg);
}
[[noreturn]] inline void tt_throw(const char* file, int line, const char* assert_type, const char* condition) {
    throw std::runtime_error(std::string(assert_type) + " @ " + file + ":" + std::to_string(line) + ": " + condition);
}
}  // namespace tt::assert

#define TT_THROW(...) ::tt::assert::tt_throw(__FILE__, __LINE__, "TT_THROW", "tt::exception", ##__VA_ARGS__)

#define TT_FATAL(condition, message, ...)                                                                        \
    do {                                                                                                         \
        if (!(condition)) [[unlikely]] {                                                                         \
            ::tt::assert::tt_throw(__FILE__, __LINE__, "TT_FATAL", #condition, message, ##__VA_ARGS__);         \
        }                                                                                                        \
    } while (0)

#ifdef DEBUG
#define TT_ASSERT(condition, ...)                                                                                \
    do {                                                                                                         \
        if (!(condition)) [[unlikely]] {                                                                         \
            ::tt::assert::tt_throw(__FILE__, __LINE__, "TT_ASSERT", #condition, ##__VA_ARGS__);                 \
        }                                                                                                        \
    } while (0)
#else
#define TT_ASSERT(condition, ...)
#endif
