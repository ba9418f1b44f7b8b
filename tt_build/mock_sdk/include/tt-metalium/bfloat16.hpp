// tt-build mock SDK: host bfloat16 (round-to-nearest-even from float).
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

class bfloat16 {
public:
    bfloat16() = default;
    // from any arithmetic value (round to nearest even): bfloat16(3u) is 3.0, as in tt-metal
    template <class T>
        requires std::is_arithmetic_v<T>
    bfloat16(T v) : bits_(from_float(static_cast<float>(v))) {}
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
    std::memcpy(static_cast<void*>(out.data()), data.data(), data.size() * sizeof(std::uint32_t));
    return out;
}

// Two bfloat16 packed into one 32-bit word: the first in the low half.
inline std::uint32_t pack_two_bfloat16_into_uint32(std::pair<bfloat16, bfloat16> two_bfloats) {
    return static_cast<std::uint32_t>(two_bfloats.first.to_uint16()) |
           (static_cast<std::uint32_t>(two_bfloats.second.to_uint16()) << 16);
}

// num_bytes / 2 bfloat16 values drawn uniformly from [offset, rand_max_float + offset).
inline std::vector<bfloat16> create_random_vector_of_bfloat16_native(std::size_t num_bytes, float rand_max_float,
                                                                     int seed, float offset = 0.0f) {
    std::mt19937 gen(static_cast<std::mt19937::result_type>(seed));
    std::uniform_real_distribution<float> dist(0.0f, rand_max_float);
    std::vector<bfloat16> v(num_bytes / sizeof(bfloat16));
    for (auto& x : v) x = bfloat16(dist(gen) + offset);
    return v;
}

// The same, packed two per 32-bit word (num_bytes / 4 words).
inline std::vector<std::uint32_t> create_random_vector_of_bfloat16(std::size_t num_bytes, int rand_max_float, int seed,
                                                                   float offset = 0.0f) {
    const std::vector<bfloat16> v =
        create_random_vector_of_bfloat16_native(num_bytes, static_cast<float>(rand_max_float), seed, offset);
    return pack_bfloat16_vec_into_uint32_vec(v);
}

// num_bytes / 2 copies of `value`, packed two per 32-bit word.
inline std::vector<std::uint32_t> create_constant_vector_of_bfloat16(std::size_t num_bytes, float value) {
    return pack_bfloat16_vec_into_uint32_vec(std::vector<bfloat16>(num_bytes / sizeof(bfloat16), bfloat16(value)));
}
