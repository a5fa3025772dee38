// dkim_verify.hpp: in-process DKIM verification (RFC 6376) of a whole message with libopendkim:
// dkim_verify -> dkim_chunk -> dkim_eom -> the signature list, keys fetched through the shared
// libunbound Resolver (dns.hpp) from libopendkim's key-lookup hook. It reports facts per
// signature; dkim_rule.hpp decides what they mean for a report.
#pragma once

#include "tlsrpt/dkim_rule.hpp"
#include "tlsrpt/dns.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt {

struct DkimOptions {
    // All key lookups of one message together end by then: a lookup still unanswered is a
    // temporary failure (4xx, the sender retries).
    std::chrono::milliseconds timeout{5000};
    // Signatures verified per message; later ones are reported as skipped (each costs a DNS
    // lookup and a public-key operation, and the sender chooses how many there are).
    std::size_t max_signatures = 8;
};

struct DkimVerification {
    std::vector<SignatureFacts> signatures; // in header order
    std::string error;                      // the message could not be verified at all
};

class DkimVerifier {
  public:
    // Throws std::runtime_error when libopendkim cannot be initialised.
    DkimVerifier(std::shared_ptr<dns::Resolver> resolver, DkimOptions options);
    ~DkimVerifier();
    DkimVerifier(const DkimVerifier&) = delete;
    DkimVerifier& operator=(const DkimVerifier&) = delete;

    // Verifies every DKIM-Signature of `message`: RFC 5322 text exactly as received (header
    // fields in their original order and spelling; CRLF line ends, bare LF is fixed up).
    // Thread-safe: one verifier serves every thread.
    DkimVerification verify(std::string_view message) const;

    const dns::Resolver& resolver() const { return *resolver_; }
    const DkimOptions& options() const { return options_; }

  private:
    std::shared_ptr<dns::Resolver> resolver_;
    DkimOptions options_;
    struct Library;
    std::unique_ptr<Library> lib_;
};

// check_signature() of each.
std::vector<SignatureCheck> check_signatures(const DkimVerification& v);

// A DKIM key record (RFC 6376 §3.6.1) as libopendkim is given it, and its service list: a key
// whose s= allows tlsrpt but neither "*" nor "email" is handed over with s=email, since
// libopendkim refuses every key that is not an e-mail key (the rule checks s= itself). Only that
// tag changes (so the record grows by 4 bytes at most); a record with two s= tags is invalid
// (RFC 6376 §3.2): handed over as sent, with an empty service list.
std::string key_record_for_library(std::string_view record,
                                   std::optional<std::vector<std::string>>& services);

} // namespace tlsrpt
