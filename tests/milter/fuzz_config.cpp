// fuzz_config.cpp: libFuzzer target for the milter's configuration parser (config.cpp and the
// settings table): any file content is either a Config or a ConfigError naming file and line,
// never a crash, hang or invalid access. Built and run by tests/fuzz.sh.
#include "config.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const milter::Config c = milter::parse_config(text, "fuzz.conf");
        milter::validate(c, "fuzz.conf");
    } catch (const milter::ConfigError& e) {
        if (std::string(e.what()).rfind("fuzz.conf", 0) != 0) __builtin_trap();
    }
    return 0;
}
