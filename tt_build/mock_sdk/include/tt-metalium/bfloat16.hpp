// tt-build mock SDK: host bfloat16 (round-to-nearest-even from float).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

class bfloat16 {
public:
    bfloat16() = default;
    bfloat16(float v) : bits_(from_float(v)) {}
    bfloat16(double v) : bits_(from_float(static_cast<float>(v))) {}
    bfloat16(int v) : bits_(from_float(static_cast<float>(v))) {}
    static constexpr bfloat16 from_bits(std::uint16_t bits) {
        bfloat16 b;
        b.bits_ = bits;
        return b;
    }
    float to_float() const {
        std::uint32_t u = static_cast<std::uint32_t>(bits_) << 16;
        float f;
        std::memcpy(&f, &u, sizeof f);
        return f;
    }
    explicit operator float() const { return to_float(); }
    std::uint16_t to_uint16() const { return bits_; }
    std::uint16_t to_packed() const { return bits_; }
    friend bool operator==(const bfloat16& a, const bfloat16& b) { return a.bits_ == b.bits_; }
    friend bool operator!=(const bfloat16& a, const bfloat16& b) { return a.bits_ != b.bits_; }

    static std::uint16_t from_float(float v) {
        std::uint32_t u;
        std::memcpy(&u, &v, sizeof u);
        if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu) != 0) {
            return static_cast<std::uint16_t>((u >> 16) | 0x40);  // quiet NaN
        }
        const std::uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
        return static_cast<std::uint16_t>((u + rounding) >> 16);
    }

private:
    std::uint16_t bits_ = 0;
};
static_assert(sizeof(bfloat16) == 2, "bfloat16 must be 2 bytes");

inline std::vector<std::uint32_t> pack_bfloat16_vec_into_uint32_vec(const std::vector<bfloat16>& data) {
    std::vector<std::uint32_t> out((data.size() + 1) / 2, 0);
    std::memcpy(out.data(), data.data(), data.size() * sizeof(bfloat16));
    return out;
}

inline std::vector<bfloat16> unpack_uint32_vec_into_bfloat16_vec(const std::vector<std::uint32_t>& data) {
    std::vector<bfloat16> out(data.size() * 2);
    std::memcpy(out.data(), data.data(), data.size() * sizeof(std::uint32_t));
    return out;
}
