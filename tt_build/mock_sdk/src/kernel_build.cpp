// tt-build mock SDK runtime: compiling kernel sources into shared objects, with a content cache.
//
// Cache key = hash of: the generated wrapper (compile-time args, named args, defines, CB format
// tables, kernel role), the content of the kernel source and of every file it includes that is found
// on the include path (local headers and the mock headers), the compile flags, and the compiler
// identity (`$CXX --version`). The .so is named <source-key>-<compiler-key>.so. Directories in
// TT_MOCK_KERNEL_PATH (read-only, prebuilt) are searched first, then TT_MOCK_KERNEL_CACHE
// (default ~/.cache/tt-build/mock-kernels). Without a working compiler any <source-key>-*.so found
// is used, so an installed package with a warmed cache needs no compiler at run time.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "runtime_internal.hpp"

extern char** environ;

namespace tt::tt_metal::tt_mock_impl {
namespace fs = std::filesystem;

#ifndef TT_MOCK_INCLUDE_DIR
#define TT_MOCK_INCLUDE_DIR ""
#endif

namespace {

struct Hasher {
    std::uint64_t a = 0xcbf29ce484222325ull;
    std::uint64_t b = 0x84222325cbf29ce4ull;
    void add(const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            a = (a ^ p[i]) * 0x100000001b3ull;
            b = (b ^ p[i]) * 0x00000100000001b3ull + 0x9e3779b97f4a7c15ull;
            b ^= b >> 29;
        }
    }
    void add(const std::string& s) {
        const std::uint64_t n = s.size();
        add(&n, sizeof n);
        add(s.data(), s.size());
    }
    std::string hex(std::size_t chars = 32) const {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                      static_cast<unsigned long long>(b));
        return std::string(buf).substr(0, chars);
    }
};

bool read_file(const fs::path& p, std::string& out) {
    std::ifstream f(p, std::ios::binary);
    if (!f) return false;
    std::ostringstream ss;
    ss << f.rdbuf();
    out = ss.str();
    return true;
}

// Integrity of a compiled kernel: "<kernel>.so.sum" holds the digest of the .so's bytes and is written
// before the .so is published. A .so without a matching digest (truncated, garbage, empty) is never
// loaded: in the writable cache it is removed and compiled again, elsewhere it is skipped.
std::string so_digest(const fs::path& so) {
    std::string data;
    if (!read_file(so, data) || data.empty()) return {};
    Hasher h;
    h.add(data);
    return h.hex();
}

bool so_verified(const fs::path& so) {
    std::string want;
    if (!read_file(fs::path(so.string() + ".sum"), want)) return false;
    while (!want.empty() && (want.back() == '\n' || want.back() == ' ')) want.pop_back();
    const std::string got = so_digest(so);
    return !got.empty() && got == want;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

std::vector<std::string> include_dirs() {
    std::vector<std::string> dirs;
    std::string mock = env_str("TT_MOCK_INCLUDE_DIR", TT_MOCK_INCLUDE_DIR);
    if (!mock.empty()) dirs.push_back(mock);
    for (const auto& d : split(env_str("TT_MOCK_KERNEL_INCLUDES"), ':')) dirs.push_back(d);
    // Like tt-metal's JIT: the kernel roots and their ttnn trees, so kernels can include
    // "ttnn/operations/..." helpers. After the mock's own headers, which always win.
    for (const char* env : {"TT_METAL_KERNEL_PATH", "TT_METAL_HOME"}) {
        const std::string root = env_str(env);
        if (root.empty()) continue;
        for (const fs::path& d : {fs::path(root), fs::path(root) / "ttnn", fs::path(root) / "ttnn" / "cpp"}) {
            std::error_code ec;
            if (fs::is_directory(d, ec) && std::find(dirs.begin(), dirs.end(), d.string()) == dirs.end()) {
                dirs.push_back(d.string());
            }
        }
    }
    return dirs;
}

// Adds the content of `file` and of everything it includes (found on the include path) to `h`.
// Files are identified by the name they are included as (not their absolute path), so a kernel
// tree moved elsewhere (build tree -> site-packages) keeps its cache key.
void hash_closure(const fs::path& file, const std::string& spelled, const std::vector<std::string>& dirs,
                  std::set<std::string>& seen, Hasher& h) {
    const std::string key = file.lexically_normal().string();
    if (!seen.insert(key).second) return;
    std::string text;
    if (!read_file(file, text)) return;
    h.add(spelled);
    h.add(text);
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::size_t i = line.find_first_not_of(" \t");
        if (i == std::string::npos || line[i] != '#') continue;
        i = line.find_first_not_of(" \t", i + 1);
        if (i == std::string::npos || line.compare(i, 7, "include") != 0) continue;
        i = line.find_first_of("\"<", i + 7);
        if (i == std::string::npos) continue;
        const char close = line[i] == '"' ? '"' : '>';
        const std::size_t j = line.find(close, i + 1);
        if (j == std::string::npos) continue;
        const std::string name = line.substr(i + 1, j - i - 1);
        std::vector<fs::path> cands;
        if (close == '"') cands.push_back(file.parent_path() / name);
        for (const auto& d : dirs) cands.push_back(fs::path(d) / name);
        for (const auto& c : cands) {
            std::error_code ec;
            if (fs::is_regular_file(c, ec)) {
                hash_closure(c, name, dirs, seen, h);
                break;
            }
        }
    }
}

std::vector<std::string> compiler_argv() {
    std::string cxx = env_str("TT_MOCK_CXX", env_str("CXX", "c++"));
    return split(cxx, ' ');
}

int run_process(const std::vector<std::string>& argv, const std::string& log_path) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string temp_name(const fs::path& dir, const std::string& stem, const std::string& ext) {
    static std::uint64_t counter = 0;
    return (dir / (".tmp-" + stem + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + ext)).string();
}

// Compiler identity, computed once per process; empty if no compiler can be run.
// `name` as the canonical path of the executable posix_spawnp would run (PATH lookup, symlinks
// resolved); `name` itself when it cannot be found.
std::string resolved_program(const std::string& name) {
    std::vector<fs::path> candidates;
    if (name.find('/') != std::string::npos) {
        candidates.emplace_back(name);
    } else {
        for (const auto& d : split(env_str("PATH", "/usr/bin:/bin"), ':')) candidates.push_back(fs::path(d) / name);
    }
    for (const auto& c : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(c, ec) && access(c.c_str(), X_OK) == 0) {
            const fs::path real = fs::canonical(c, ec);
            return ec ? c.string() : real.string();
        }
    }
    return name;
}

const std::string& compiler_identity() {
    static std::once_flag once;
    static std::string identity;
    std::call_once(once, [] {
        auto argv = compiler_argv();
        argv.push_back("--version");
        const std::string log = (fs::temp_directory_path() / ("tt-mock-cxx-" + std::to_string(getpid()) + ".txt")).string();
        if (run_process(argv, log) == 0) {
            std::string text;
            read_file(log, text);
            // The compiler as the file it runs, not as it is spelled: `c++` and `g++` (what a build
            // environment may put in CXX) name the same compiler, and kernels precompiled by a build
            // must hit at run time.
            // (gcc's --version also starts with the name it was called by: drop that word.)
            argv.pop_back();
            argv[0] = resolved_program(argv[0]);
            for (const auto& a : argv) identity += a + " ";
            const auto space = text.find(' ');
            const auto eol = text.find('\n');
            identity += "\n" + (space != std::string::npos && space < eol ? text.substr(space + 1) : text);
        }
        std::error_code ec;
        fs::remove(log, ec);
    });
    return identity;
}

const char* role_define(Role r) {
    switch (r) {
        case Role::Riscv0: return "#define COMPILE_FOR_BRISC 1\n";
        case Role::Riscv1: return "#define COMPILE_FOR_NCRISC 1\n";
        // one executor runs all three TRISCs' calls: every per-thread selector is on
        case Role::Compute:
            return "#define COMPILE_FOR_TRISC 1\n#define TRISC_MATH 1\n#define TRISC_PACK 1\n#define TRISC_UNPACK 1\n"
                   "#define UCK_CHLKC_MATH 1\n#define UCK_CHLKC_PACK 1\n#define UCK_CHLKC_UNPACK 1\n";
    }
    return "";
}

std::string one_line(const std::string& s) {
    std::string out = s;
    std::replace(out.begin(), out.end(), '\n', ' ');
    return out;
}

// The Metal 2.0 names of a kernel (tt_mock::SetMetal2Bindings), as tt-metal's JIT generates them into
// kernel_args_generated.h / kernel_bindings_generated.h: args:: accessors, dfb:: buffer ids, tensor::
// binding tokens. The names were validated as C++ identifiers by SetMetal2Bindings.
void write_metal2_bindings(std::ostream& w, const KernelSpec& k) {
    using Kind = Metal2Name::Kind;
    w << "#include \"experimental/kernel_args.h\"\n";
    if (k.role != Role::Compute) w << "#include \"api/tensor/tensor_accessor.h\"\n";
    w << "namespace args {\n";
    for (const Metal2Name& n : k.metal2) {
        if (n.kind == Kind::CompileTimeArg) {
            w << "inline constexpr experimental::CtaVal<std::uint32_t> " << n.name << "{" << n.a << "u};\n";
        } else if (n.kind == Kind::RuntimeArg) {
            w << "inline constexpr experimental::RtaArg<std::uint32_t> " << n.name << "{" << n.a * 4 << "u};\n";
        } else if (n.kind == Kind::CommonRuntimeArg) {
            w << "inline constexpr experimental::CrtaArg<std::uint32_t> " << n.name << "{" << n.a * 4 << "u};\n";
        }
    }
    w << "}  // namespace args\nnamespace dfb {\n";
    for (const Metal2Name& n : k.metal2) {
        if (n.kind == Kind::DataflowBuffer) w << "inline constexpr std::uint32_t " << n.name << " = " << n.a << "u;\n";
    }
    w << "}  // namespace dfb\nnamespace tensor {\n";
    for (const Metal2Name& n : k.metal2) {
        if (n.kind == Kind::Tensor && k.role != Role::Compute) {
            w << "inline constexpr tensor_accessor::TensorBindingToken<" << n.a << "u, " << n.b * 4 << "u> " << n.name
              << "{};\n";
        }
    }
    w << "}  // namespace tensor\n";
}

// for_key: the text hashed into the cache key, without the kernel's location.
std::string wrapper_source(const KernelBuildRequest& req, bool for_key) {
    const KernelSpec& k = *req.kernel;
    std::ostringstream w;
    w << "// generated by the tt-build mock SDK for " << (for_key ? std::string("<kernel>") : k.path) << "\n";
    w << "#define KERNEL_BUILD 1\n#define " << req.arch->define << " 1\n#define TT_MOCK_SDK 1\n";
    w << role_define(k.role);
    w << "#define NOC_INDEX " << (k.role == Role::Compute ? 0 : k.noc) << "\n";
    w << "#define DST_ACCUM_MODE " << (k.fp32_dest_acc_en ? "true" : "false") << "\n";
    if (k.role == Role::Compute) w << "#define DST_SYNC_MODE DstSync::Sync" << (k.dst_full_sync_en ? "Full" : "Half") << "\n";
    w << "#define MATH_FIDELITY " << k.math_fidelity << "\n";
    w << "#define APPROX " << (k.math_approx_mode ? "true" : "false") << "\n";
    w << "#define KERNEL_COMPILE_TIME_ARGS ";
    for (std::size_t i = 0; i < k.compile_args.size(); ++i) w << (i ? "," : "") << k.compile_args[i] << "u";
    w << "\n";
    if (!k.named_compile_args.empty()) {
        w << "#define KERNEL_COMPILE_TIME_ARG_MAP ";
        bool first = true;
        for (const auto& [name, value] : k.named_compile_args) {
            w << (first ? "" : ",") << "{\"" << name << "\"," << value << "u}";
            first = false;
        }
        w << "\n";
    }
    w << "#define TT_MOCK_CB_FORMATS ";
    const std::size_t num_cbs = req.arch->geo.num_cbs;
    for (std::size_t i = 0; i < num_cbs; ++i) w << (i ? "," : "") << static_cast<unsigned>(req.cb_formats[i]);
    w << "\n#define TT_MOCK_CB_TILE_SIZES ";
    for (std::size_t i = 0; i < num_cbs; ++i) w << (i ? "," : "") << req.cb_tile_sizes[i];
    w << "\n";
    for (const auto& [name, value] : k.defines) w << "#define " << name << " " << one_line(value) << "\n";
    if (k.role != Role::Compute) w << "#include \"api/dataflow/dataflow_api.h\"\n";
    if (!k.metal2.empty()) write_metal2_bindings(w, k);
    w << "#include \"" << (for_key ? std::string("<kernel>") : k.resolved) << "\"\n";
    w << "#include \"tt_mock/kernel_glue.h\"\n";
    return w.str();
}

std::vector<std::string> compile_flags() {
    std::vector<std::string> f{"-std=c++20", "-O2", "-fPIC", "-shared", "-fvisibility=hidden", "-fno-gnu-unique",
                               "-fstack-clash-protection"};
    for (const auto& x : split(env_str("TT_MOCK_KERNEL_CXXFLAGS"), ' ')) f.push_back(x);
    return f;
}

fs::path cache_dir() {
    std::string d = env_str("TT_MOCK_KERNEL_CACHE");
    if (!d.empty()) return fs::path(d);
    return fs::path(env_str("HOME", "/tmp")) / ".cache" / "tt-build" / "mock-kernels";
}

struct Job {
    std::size_t index;
    std::string wrapper;
    std::string so_path;
    std::string src_path;
    std::string log_path;
    std::vector<std::string> argv;
    int rc = 0;
};

}  // namespace

std::vector<std::string> build_kernels(const std::vector<KernelBuildRequest>& requests) {
    const std::vector<std::string> dirs = include_dirs();
    const std::vector<std::string> flags = compile_flags();
    const std::string& ident = compiler_identity();
    Hasher ch;
    ch.add(ident);
    const std::string cxx_key = ident.empty() ? std::string() : ch.hex(12);
    const fs::path cache = cache_dir();
    std::vector<fs::path> search;
    for (const auto& d : split(env_str("TT_MOCK_KERNEL_PATH"), ':')) search.emplace_back(d);
    search.push_back(cache);

    std::vector<std::string> result(requests.size());
    std::vector<Job> jobs;
    std::map<std::string, std::size_t> job_of_key;  // identical kernels share one compile
    std::vector<std::pair<std::size_t, std::size_t>> aliases;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const std::string wrapper = wrapper_source(requests[i], false);
        Hasher h;
        h.add(std::to_string(tt_mock::kKernelAbiVersion));
        h.add(wrapper_source(requests[i], true));
        for (const auto& f : flags) h.add(f);
        std::set<std::string> seen;
        const fs::path kernel_file(requests[i].kernel->resolved);
        hash_closure(kernel_file, kernel_file.filename().string(), dirs, seen, h);
        for (const auto& d : dirs) {
            // the mock's own glue headers are included by the wrapper, not the kernel
            hash_closure(fs::path(d) / "tt_mock" / "kernel_glue.h", "tt_mock/kernel_glue.h", dirs, seen, h);
            hash_closure(fs::path(d) / "api" / "dataflow" / "dataflow_api.h", "api/dataflow/dataflow_api.h", dirs,
                         seen, h);
        }
        const std::string src_key = h.hex();
        const std::string name = src_key + "-" + (cxx_key.empty() ? std::string("none") : cxx_key) + ".so";
        bool found = false;
        for (const auto& dir : search) {
            std::error_code ec;
            if (!cxx_key.empty() && fs::is_regular_file(dir / name, ec)) {
                if (so_verified(dir / name)) {
                    result[i] = (dir / name).string();
                    found = true;
                    break;
                }
                if (dir == cache) {  // damaged: drop it, compile it again below
                    fs::remove(dir / name, ec);
                    fs::remove(fs::path((dir / name).string() + ".sum"), ec);
                }
            }
            if (cxx_key.empty() && fs::is_directory(dir, ec)) {
                std::vector<std::string> hits;
                for (const auto& e : fs::directory_iterator(dir, ec)) {
                    const std::string fn = e.path().filename().string();
                    if (fn.rfind(src_key + "-", 0) == 0 && fn.size() > 3 && fn.substr(fn.size() - 3) == ".so" &&
                        so_verified(e.path())) {
                        hits.push_back(e.path().string());
                    }
                }
                if (!hits.empty()) {
                    std::sort(hits.begin(), hits.end());
                    result[i] = hits.front();
                    found = true;
                    break;
                }
            }
        }
        if (found) continue;
        if (cxx_key.empty()) {
            throw_error("cannot build kernel '" + requests[i].kernel->path + "': no C++ compiler could be run (" +
                        env_str("TT_MOCK_CXX", env_str("CXX", "c++")) +
                        ") and no prebuilt kernel was found in TT_MOCK_KERNEL_PATH or the kernel cache");
        }
        auto it = job_of_key.find(name);
        if (it != job_of_key.end()) {
            aliases.emplace_back(i, it->second);
            continue;
        }
        std::error_code ec;
        fs::create_directories(cache, ec);
        if (ec) throw_error("cannot create the kernel cache directory " + cache.string() + ": " + ec.message());
        Job job;
        job.index = i;
        job.wrapper = wrapper;
        job.so_path = (cache / name).string();
        job.src_path = temp_name(cache, src_key, ".cpp");
        job.log_path = temp_name(cache, src_key, ".log");
        const std::string tmp_so = temp_name(cache, src_key, ".so");
        job.argv = compiler_argv();
        job.argv.insert(job.argv.end(), flags.begin(), flags.end());
        for (const auto& d : dirs) job.argv.push_back("-I" + d);
        job.argv.push_back(job.src_path);
        job.argv.push_back("-o");
        job.argv.push_back(tmp_so);
        job_of_key[name] = jobs.size();
        jobs.push_back(std::move(job));
    }

    // compile in parallel, at most TT_MOCK_JOBS (default: hardware threads) at a time
    std::size_t max_jobs = std::max(1u, std::thread::hardware_concurrency());
    if (!env_str("TT_MOCK_JOBS").empty()) max_jobs = std::max(1, std::atoi(env_str("TT_MOCK_JOBS").c_str()));
    for (auto& job : jobs) {
        std::ofstream(job.src_path) << job.wrapper;
    }
    std::size_t next = 0;
    std::mutex mu;
    auto worker = [&] {
        for (;;) {
            std::size_t j;
            {
                std::lock_guard<std::mutex> lock(mu);
                if (next >= jobs.size()) return;
                j = next++;
            }
            jobs[j].rc = run_process(jobs[j].argv, jobs[j].log_path);
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < std::min(max_jobs, jobs.size()); ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();

    std::string errors;
    for (auto& job : jobs) {
        const std::string tmp_so = job.argv.back();
        std::error_code ec;
        if (job.rc == 0) {
            const std::string tmp_sum = tmp_so + ".sum";
            std::ofstream(tmp_sum) << so_digest(tmp_so) << "\n";
            fs::rename(tmp_sum, job.so_path + ".sum", ec);  // the digest first: a published .so always has one
            fs::rename(tmp_so, job.so_path, ec);  // atomic publish; a concurrent identical publish is harmless
            if (ec) errors += "cannot publish " + job.so_path + ": " + ec.message() + "\n";
            result[job.index] = job.so_path;
        } else {
            std::string log;
            read_file(job.log_path, log);
            if (job.rc < 0) log = "could not run the compiler '" + job.argv[0] + "'";
            errors += "kernel compilation failed for '" + requests[job.index].kernel->path + "' (" +
                      requests[job.index].kernel->resolved + "):\n" + log + "\n";
            fs::remove(tmp_so, ec);
        }
        if (job.rc == 0 && !env_str("TT_MOCK_KEEP_SOURCES").empty()) {
            fs::rename(job.src_path, job.so_path.substr(0, job.so_path.size() - 3) + ".cpp", ec);
        } else {
            fs::remove(job.src_path, ec);
        }
        fs::remove(job.log_path, ec);
    }
    for (const auto& [i, j] : aliases) result[i] = jobs[j].so_path;
    if (!errors.empty()) throw_error(errors);
    return result;
}

}  // namespace tt::tt_metal::tt_mock_impl
