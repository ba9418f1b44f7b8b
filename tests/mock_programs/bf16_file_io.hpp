// bf16 arrays in raw binary files (what the tests write with numpy's tofile and read with fromfile) and the
// programs' error convention (message on stderr, exit code 2): shared by the test host programs
// mock_host.cpp, ttnn_host.cpp, ttnn_families_host.cpp and ttnn_mcast_host.cpp.
#pragma once

#include <cstddef>
#include <exception>
#include <fstream>
#include <iostream>
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

// Runs a host program's body: an exception's message goes to stderr and the exit code is 2.
inline int run_main(int (*body)(int, char**), int argc, char** argv) {
    try {
        return body(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << e.what() << std::endl;
        return 2;
    }
}

}  // namespace test_io
