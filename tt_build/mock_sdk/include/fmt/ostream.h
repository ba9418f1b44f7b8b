// tt-build mock SDK: {fmt} compatibility include (see fmt/base.h): formatting of types with operator<<.
#pragma once

#include <ostream>
#include <sstream>

#include "fmt/base.h"

namespace fmt {
inline namespace tt_mock_v1 {
// Derive fmt::formatter<T> from this to format T with its operator<<.
struct ostream_formatter : formatter<std::string_view> {
    template <typename T>
    auto format(const T& value, format_context& ctx) const -> format_context::iterator {
        std::ostringstream o;
        o << value;
        return formatter<std::string_view>::format(o.str(), ctx);
    }
};
}  // namespace tt_mock_v1
}  // namespace fmt
