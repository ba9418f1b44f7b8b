// tt-build mock SDK: a minimal {fmt}-compatible formatting library — the part of {fmt} that TT-Metalium
// host programs reach through the host API headers: fmt::format, fmt::format_to, fmt::print,
// fmt::formatter<T> specialisations (parse / format with format_parse_context / format_context), the
// replacement fields "{}" and "{N}" with the standard format specs [[fill]align][sign][#][0][width]
// [.precision][type] for numbers and strings, and "{{" / "}}". Errors throw fmt::format_error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace fmt {
inline namespace tt_mock_v1 {

class format_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class format_parse_context {
public:
    using iterator = const char*;
    explicit format_parse_context(std::string_view spec) : begin_(spec.data()), end_(spec.data() + spec.size()) {}
    constexpr iterator begin() const { return begin_; }
    constexpr iterator end() const { return end_; }
    constexpr void advance_to(iterator it) { begin_ = it; }

private:
    iterator begin_, end_;
};

class format_context {
public:
    using iterator = std::back_insert_iterator<std::string>;
    explicit format_context(std::string& out) : out_(std::back_inserter(out)) {}
    iterator out() { return out_; }
    void advance_to(iterator it) { out_ = it; }

private:
    iterator out_;
};

template <typename T, typename Char = char, typename Enable = void>
struct formatter {
    formatter() = delete;  // no formatter for this type: specialise fmt::formatter<T>
};

namespace detail {
// A parsed standard format spec.
struct spec {
    char fill = ' ', align = 0, sign = 0, type = 0;
    bool alt = false, zero = false;
    int width = -1, precision = -1;
};

constexpr spec parse_spec(format_parse_context& ctx) {
    spec s;
    const char* p = ctx.begin();
    const char* e = ctx.end();
    auto is_align = [](char c) { return c == '<' || c == '>' || c == '^'; };
    if (p + 1 < e && is_align(p[1])) {
        s.fill = p[0];
        s.align = p[1];
        p += 2;
    } else if (p < e && is_align(p[0])) {
        s.align = *p++;
    }
    if (p < e && (*p == '+' || *p == '-' || *p == ' ')) s.sign = *p++;
    if (p < e && *p == '#') {
        s.alt = true;
        ++p;
    }
    if (p < e && *p == '0') {
        s.zero = true;
        ++p;
    }
    if (p < e && *p >= '0' && *p <= '9') {
        s.width = 0;
        while (p < e && *p >= '0' && *p <= '9') s.width = s.width * 10 + (*p++ - '0');
    }
    if (p < e && *p == '.') {
        ++p;
        s.precision = 0;
        while (p < e && *p >= '0' && *p <= '9') s.precision = s.precision * 10 + (*p++ - '0');
    }
    if (p < e) s.type = *p++;
    if (p != e) throw format_error("invalid format specifier");
    ctx.advance_to(p);
    return s;
}

inline void pad(std::string& out, const std::string& body, const spec& s, char default_align) {
    const std::size_t w = s.width < 0 ? 0 : static_cast<std::size_t>(s.width);
    if (body.size() >= w) {
        out += body;
        return;
    }
    const std::size_t n = w - body.size();
    const char align = s.align ? s.align : default_align;
    if (align == '<') {
        out += body;
        out.append(n, s.fill);
    } else if (align == '^') {
        out.append(n / 2, s.fill);
        out += body;
        out.append(n - n / 2, s.fill);
    } else {
        out.append(n, s.fill);
        out += body;
    }
}

template <typename T>
std::string format_integer(T v, const spec& s) {
    using U = std::make_unsigned_t<std::conditional_t<std::is_same_v<T, bool>, unsigned, T>>;
    const bool neg = std::is_signed_v<T> && v < 0;
    U mag = neg ? static_cast<U>(0) - static_cast<U>(v) : static_cast<U>(v);
    unsigned base = 10;
    const char* digits = "0123456789abcdef";
    std::string prefix;
    switch (s.type) {
        case 'x': base = 16; if (s.alt) prefix = "0x"; break;
        case 'X': base = 16; digits = "0123456789ABCDEF"; if (s.alt) prefix = "0X"; break;
        case 'b': base = 2; if (s.alt) prefix = "0b"; break;
        case 'o': base = 8; if (s.alt) prefix = "0"; break;
        case 'c': return std::string(1, static_cast<char>(v));
        case 0: case 'd': break;
        default: throw format_error("invalid type specifier for an integer");
    }
    std::string body;
    do {
        body.insert(body.begin(), digits[mag % base]);
        mag /= base;
    } while (mag != 0);
    std::string sign = neg ? "-" : (s.sign == '+' ? "+" : (s.sign == ' ' ? " " : ""));
    if (s.zero && !s.align && s.width > 0) {
        const std::size_t used = sign.size() + prefix.size() + body.size();
        if (used < static_cast<std::size_t>(s.width)) body.insert(0, static_cast<std::size_t>(s.width) - used, '0');
    }
    return sign + prefix + body;
}

inline std::string format_float(double v, const spec& s) {
    char conv = s.type ? s.type : 'g';
    if (conv != 'f' && conv != 'F' && conv != 'e' && conv != 'E' && conv != 'g' && conv != 'G') {
        throw format_error("invalid type specifier for a floating-point number");
    }
    std::string f = "%";
    if (s.sign == '+') f += '+';
    if (s.sign == ' ') f += ' ';
    if (s.alt) f += '#';
    if (s.zero && !s.align && s.width > 0) f += "0" + std::to_string(s.width);
    if (s.precision >= 0) {
        f += "." + std::to_string(s.precision);
    } else if (!s.type) {
        // {fmt}'s default: the shortest representation that round-trips
        for (int prec = 1; prec <= 17; ++prec) {
            char buf[64];
            std::snprintf(buf, sizeof buf, (f + "." + std::to_string(prec) + "g").c_str(), v);
            if (std::strtod(buf, nullptr) == v) return buf;
        }
    }
    f += conv;
    char buf[512];
    std::snprintf(buf, sizeof buf, f.c_str(), v);
    return buf;
}

// A type-erased argument: formats itself with its formatter.
struct arg {
    const void* value;
    void (*fn)(const void*, format_parse_context&, format_context&);
};

template <typename T>
void format_arg(const void* value, format_parse_context& pctx, format_context& ctx) {
    formatter<std::remove_cv_t<std::remove_reference_t<T>>> f;
    pctx.advance_to(f.parse(pctx));
    ctx.advance_to(f.format(*static_cast<const std::remove_reference_t<T>*>(value), ctx));
}

inline void vformat_to(std::string& out, std::string_view fmt, const arg* args, std::size_t nargs) {
    std::size_t next = 0;
    bool manual = false, automatic = false;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        const char c = fmt[i];
        if (c == '}') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
                out += '}';
                ++i;
                continue;
            }
            throw format_error("unmatched '}' in format string");
        }
        if (c != '{') {
            out += c;
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            out += '{';
            ++i;
            continue;
        }
        const std::size_t close = fmt.find('}', i);
        if (close == std::string_view::npos) throw format_error("invalid format string: unterminated '{'");
        std::string_view field = fmt.substr(i + 1, close - i - 1);
        const std::size_t colon = field.find(':');
        std::string_view id = field.substr(0, colon);
        std::string_view spec = colon == std::string_view::npos ? std::string_view() : field.substr(colon + 1);
        std::size_t index = 0;
        if (id.empty()) {
            automatic = true;
            index = next++;
        } else {
            manual = true;
            for (char d : id) {
                if (d < '0' || d > '9') throw format_error("named arguments are not supported");
                index = index * 10 + static_cast<std::size_t>(d - '0');
            }
        }
        if (manual && automatic) throw format_error("cannot switch from automatic to manual argument indexing");
        if (index >= nargs) throw format_error("argument not found");
        format_parse_context pctx(spec);
        format_context ctx(out);
        args[index].fn(args[index].value, pctx, ctx);
        i = close;
    }
}
}  // namespace detail

// Arithmetic types, strings, pointers.
template <typename T>
struct formatter<T, char, std::enable_if_t<std::is_arithmetic_v<T>>> {
    detail::spec s;
    constexpr auto parse(format_parse_context& ctx) -> format_parse_context::iterator {
        s = detail::parse_spec(ctx);
        return ctx.begin();
    }
    auto format(T v, format_context& ctx) const -> format_context::iterator {
        std::string body;
        if constexpr (std::is_same_v<T, bool>) {
            body = s.type && s.type != 's' ? detail::format_integer(static_cast<unsigned>(v), s) : (v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, char>) {
            body = s.type && s.type != 'c' ? detail::format_integer(static_cast<int>(v), s) : std::string(1, v);
        } else if constexpr (std::is_floating_point_v<T>) {
            body = detail::format_float(static_cast<double>(v), s);
        } else {
            body = detail::format_integer(v, s);
        }
        std::string out;
        detail::pad(out, body, s, std::is_arithmetic_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> ? '>' : '<');
        auto it = ctx.out();
        for (char c : out) *it++ = c;
        return it;
    }
};

template <>
struct formatter<std::string_view> {
    detail::spec s;
    constexpr auto parse(format_parse_context& ctx) -> format_parse_context::iterator {
        s = detail::parse_spec(ctx);
        if (s.type && s.type != 's') throw format_error("invalid type specifier for a string");
        return ctx.begin();
    }
    auto format(std::string_view v, format_context& ctx) const -> format_context::iterator {
        std::string body(v);
        if (s.precision >= 0 && body.size() > static_cast<std::size_t>(s.precision)) body.resize(static_cast<std::size_t>(s.precision));
        std::string out;
        detail::pad(out, body, s, '<');
        auto it = ctx.out();
        for (char c : out) *it++ = c;
        return it;
    }
};
template <>
struct formatter<std::string> : formatter<std::string_view> {};
template <>
struct formatter<const char*> : formatter<std::string_view> {};
template <>
struct formatter<char*> : formatter<std::string_view> {};
template <std::size_t N>
struct formatter<char[N]> : formatter<std::string_view> {};
template <>
struct formatter<const void*> {
    constexpr auto parse(format_parse_context& ctx) -> format_parse_context::iterator { return ctx.end(); }
    auto format(const void* p, format_context& ctx) const -> format_context::iterator {
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(p)));
        auto it = ctx.out();
        for (const char* c = buf; *c; ++c) *it++ = *c;
        return it;
    }
};
template <typename T>
struct formatter<T*, char, std::enable_if_t<!std::is_same_v<std::remove_cv_t<T>, char>>> : formatter<const void*> {};
template <typename E>
struct formatter<E, char, std::enable_if_t<std::is_enum_v<E>>> : formatter<std::underlying_type_t<E>> {
    auto format(E v, format_context& ctx) const -> format_context::iterator {
        return formatter<std::underlying_type_t<E>>::format(static_cast<std::underlying_type_t<E>>(v), ctx);
    }
};

// A format string checked at run time (the mock does not check format strings at compile time).
template <typename... Args>
struct fstring {
    std::string_view str;
    template <typename S, typename = std::enable_if_t<std::is_convertible_v<const S&, std::string_view>>>
    constexpr fstring(const S& s) : str(s) {}
};
template <typename... Args>
using format_string = fstring<std::type_identity_t<Args>...>;

struct runtime_format_string {
    std::string_view str;
};
inline runtime_format_string runtime(std::string_view s) { return {s}; }

template <typename... Args>
std::string vformat_args(std::string_view fmt, const Args&... args) {
    const detail::arg list[] = {{&args, &detail::format_arg<Args>}..., {nullptr, nullptr}};
    std::string out;
    detail::vformat_to(out, fmt, list, sizeof...(Args));
    return out;
}

template <typename... Args>
std::string format(format_string<Args...> fmt, Args&&... args) {
    return vformat_args(fmt.str, args...);
}
template <typename... Args>
std::string format(runtime_format_string fmt, Args&&... args) {
    return vformat_args(fmt.str, args...);
}

template <typename OutputIt, typename... Args>
OutputIt format_to(OutputIt out, format_string<Args...> fmt, Args&&... args) {
    const std::string s = vformat_args(fmt.str, args...);
    return std::copy(s.begin(), s.end(), out);
}

template <typename... Args>
void print(format_string<Args...> fmt, Args&&... args) {
    const std::string s = vformat_args(fmt.str, args...);
    std::fwrite(s.data(), 1, s.size(), stdout);
}
template <typename... Args>
void print(std::FILE* f, format_string<Args...> fmt, Args&&... args) {
    const std::string s = vformat_args(fmt.str, args...);
    std::fwrite(s.data(), 1, s.size(), f);
}
template <typename... Args>
void println(format_string<Args...> fmt, Args&&... args) {
    const std::string s = vformat_args(fmt.str, args...) + "\n";
    std::fwrite(s.data(), 1, s.size(), stdout);
}

template <typename T>
std::string to_string(const T& v) {
    return vformat_args("{}", v);
}

}  // namespace tt_mock_v1
}  // namespace fmt
