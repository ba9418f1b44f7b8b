// bf16 arrays in raw binary files (what the tests write with numpy's tofile and read with fromfile): shared
// by the test host programs mock_host.cpp, ttnn_host.cpp, ttnn_families_host.cpp and ttnn_mcast_host.cpp.
#pragma once

#include <cstddef>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <tt-metalium/bfloat16.hpp>

namespace test_io {

inline std::vector<bfloat16> load(const std::string& path, std::size_t count) {
    std::vector<bfloat16> v(count);
    std::ifstream f(path, std::ios::binary);
    f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(bfloat16)));
    if (!f) throw std::runtime_error("cannot read " + path);
    return v;
}

inline void save(const std::string& path, const std::vector<bfloat16>& v) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(bfloat16)));
}

}  // namespace test_io
