// dkim_options.hpp: the DKIM verification options tlsrptctl's commands share (dkim, import,
// rejected reimport): --resolver, --trust-anchor, --timeout, as the milter's Resolver,
// DNSSECTrustAnchor and DNSTimeout settings.
#pragma once

#include "cmd_store.hpp"

#include "tlsrpt/dkim_verify.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tlsrptctl {

// The option names, for parse_options().
std::vector<std::string> dkim_option_names();

// A verifier from those options; nullptr after printing what is wrong.
std::unique_ptr<tlsrpt::DkimVerifier> make_dkim_verifier(const Options& options,
                                                         const std::string& command);

} // namespace tlsrptctl
