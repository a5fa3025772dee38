// dkim_options.cpp: see dkim_options.hpp.
#include "dkim_options.hpp"

#include <charconv>
#include <iostream>

namespace tlsrptctl {

std::vector<std::string> dkim_option_names() {
    return {"resolver", "trust-anchor", "timeout"};
}

std::unique_ptr<tlsrpt::DkimVerifier> make_dkim_verifier(const Options& options,
                                                         const std::string& command) {
    tlsrpt::dns::ResolverOptions ro;
    tlsrpt::DkimOptions dkim;
    const auto get = [&](const char* name) {
        const auto it = options.values.find(name);
        return it == options.values.end() ? std::string() : it->second;
    };
    if (!get("resolver").empty()) ro.resolver = get("resolver");
    ro.trust_anchor = get("trust-anchor");
    if (const std::string t = get("timeout"); !t.empty()) {
        int seconds = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), seconds);
        if (ec != std::errc() || end != t.data() + t.size() || seconds < 1 || seconds > 600) {
            std::cerr << "tlsrptctl " << command << ": --timeout wants 1 to 600 seconds\n";
            return nullptr;
        }
        dkim.timeout = std::chrono::seconds(seconds);
    }
    try {
        return std::make_unique<tlsrpt::DkimVerifier>(std::make_shared<tlsrpt::dns::Resolver>(ro),
                                                      dkim);
    } catch (const std::exception& e) {
        std::cerr << "tlsrptctl " << command << ": " << e.what() << "\n";
        return nullptr;
    }
}

} // namespace tlsrptctl
