// tt-build mock SDK: the access patterns of a dataflow buffer's producer / consumer side, and the
// DataflowBuffer trait, as declared for Wormhole/Blackhole (where DataflowBuffer is a plain class and
// the patterns change nothing).
#pragma once

#include <cstdint>

namespace dfb {
enum AccessPattern : std::uint8_t {
    STRIDED,
    ALL,
    BLOCKED,
    UNKNOWN,
};
}  // namespace dfb

class DataflowBuffer;
using DataflowBufferAnyPattern = DataflowBuffer;

// Is T a DataflowBuffer?
template <typename T>
inline constexpr bool is_dataflow_buffer_v = false;
template <>
inline constexpr bool is_dataflow_buffer_v<DataflowBuffer> = true;
