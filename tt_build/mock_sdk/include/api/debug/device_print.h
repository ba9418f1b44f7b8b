// tt-build mock SDK: DEVICE_PRINT — formatted prints from kernels ("{}" / "{0}" placeholders, "{{" and
// "}}" for braces). As on the device, messages are printed only when TT_METAL_DPRINT_CORES is set;
// the mock prints each message on stdout as one line prefixed with the core, processor and kernel.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>

#include "tt_mock/kernel_common.h"

namespace tt_mock {
template <typename T>
void device_print_arg(std::ostringstream& o, const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
        o << (v ? "true" : "false");
    } else if constexpr (std::is_same_v<T, char> || std::is_same_v<T, signed char> || std::is_same_v<T, unsigned char>) {
        o << static_cast<int>(v);
    } else if constexpr (std::is_enum_v<T>) {
        o << static_cast<long long>(v);
    } else {
        o << v;
    }
}

template <typename... Args>
std::string device_print_format(const char* fmt, const Args&... args) {
    std::ostringstream parts[sizeof...(Args) + 1];
    std::size_t n = 0;
    ((device_print_arg(parts[n++], args)), ...);
    std::ostringstream out;
    std::size_t next = 0;
    for (const char* p = fmt; *p != '\0'; ++p) {
        if (p[0] == '{' && p[1] == '{') {
            out << '{';
            ++p;
        } else if (p[0] == '}' && p[1] == '}') {
            out << '}';
            ++p;
        } else if (p[0] == '{') {
            std::size_t index = next++;
            const char* q = p + 1;
            if (*q >= '0' && *q <= '9') {
                index = 0;
                while (*q >= '0' && *q <= '9') index = index * 10 + static_cast<std::size_t>(*q++ - '0');
            }
            while (*q != '\0' && *q != '}') ++q;  // format specs after ':' are ignored
            if (index < sizeof...(Args)) out << parts[index].str();
            p = *q == '\0' ? q - 1 : q;
        } else {
            out << *p;
        }
    }
    return out.str();
}
}  // namespace tt_mock

#define DEVICE_PRINT(_device_print_format, ...) \
    tt_mock::g_api->device_print(tt_mock::device_print_format(_device_print_format, ##__VA_ARGS__).c_str())
#define DEVICE_PRINT_UNPACK(format, ...) DEVICE_PRINT(format, ##__VA_ARGS__)
#define DEVICE_PRINT_MATH(format, ...) DEVICE_PRINT(format, ##__VA_ARGS__)
#define DEVICE_PRINT_PACK(format, ...) DEVICE_PRINT(format, ##__VA_ARGS__)
#if defined(COMPILE_FOR_BRISC) || defined(COMPILE_FOR_NCRISC)
#define DEVICE_PRINT_DATA0(format, ...)          \
    if (noc_index == 0) {                        \
        DEVICE_PRINT(format, ##__VA_ARGS__);     \
    }
#define DEVICE_PRINT_DATA1(format, ...)          \
    if (noc_index == 1) {                        \
        DEVICE_PRINT(format, ##__VA_ARGS__);     \
    }
#else
#define DEVICE_PRINT_DATA0(format, ...)
#define DEVICE_PRINT_DATA1(format, ...)
#endif
