// fuzz_pipeline.cpp: libFuzzer target for the whole reading pipeline (read_reports) and the
// Authentication-Results reader: any bytes must come back as a value, never a crash, hang or
// invalid access. Not built by meson (it needs clang); run it with:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ibuild \
//     $(pkg-config --cflags gmime-3.0) tests/fuzz_pipeline.cpp src/lib/*.cpp \
//     $(pkg-config --libs gmime-3.0 simdjson zlib libarchive) -o /tmp/fuzz_pipeline
//   /tmp/fuzz_pipeline -max_len=65536 -max_total_time=300 tests/fixtures tests/fixtures/mime
#include "tlsrpt/auth_results.hpp"
#include "tlsrpt/pipeline.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    tlsrpt::Limits limits;
    limits.max_decompressed_size = 1u << 20; // keep bombs cheap for the fuzzer
    const auto reports = tlsrpt::read_reports(bytes, limits);
    if (!reports.ok() && reports.error().message.empty()) __builtin_trap();
    (void)tlsrpt::parse_auth_results(bytes);
    return 0;
}
