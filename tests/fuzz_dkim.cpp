// fuzz_dkim.cpp: libFuzzer target for the DKIM code that reads untrusted text: the
// Authentication-Results reader and the trusted-verdict extraction (auth_results.cpp), the
// DKIM key record rewrite (dkim_verify.cpp: key_record_for_library, whose input comes from any
// DNS zone a sender controls), and the RFC 8460 §3 rule on what they produce (dkim_rule.cpp).
// Every input must give a value, never a crash, hang or invalid access. Built and run by
// tests/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include "tlsrpt/auth_results.hpp"
#include "tlsrpt/dkim_rule.hpp"
#include "tlsrpt/dkim_verify.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    // the first line is the reporter domain, the rest the field values / the key record
    const auto nl = bytes.find('\n');
    const std::string reporter(bytes.substr(0, nl == std::string_view::npos ? 0 : nl));
    const std::string_view rest = nl == std::string_view::npos ? bytes : bytes.substr(nl + 1);
    const auto checks = tlsrpt::trusted_dkim_checks({std::string(rest)}, {"mx.example.com"});
    const tlsrpt::DkimAssessment a = tlsrpt::assess_dkim(checks, reporter);
    if (a.authenticated && !a.reason.empty()) __builtin_trap();
    std::optional<std::vector<std::string>> services;
    const std::string key = tlsrpt::key_record_for_library(rest, services);
    if (key.size() > rest.size() + 4) __builtin_trap(); // "s=*" -> "s=email" at most
    tlsrpt::SignatureFacts f;
    f.domain = reporter;
    f.selector = "s";
    f.algorithm = std::string(rest.substr(0, 16));
    f.header_verified = size % 2;
    f.body_verified = size % 3 == 0;
    f.key_services = services;
    const tlsrpt::SignatureCheck c = tlsrpt::check_signature(f);
    if (c.result.empty() || (c.result != "pass" && c.reason.empty())) __builtin_trap();
    (void)tlsrpt::dkim_domain_aligned(reporter, rest);
    return 0;
}
