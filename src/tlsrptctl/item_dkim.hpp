// item_dkim.hpp: the DKIM verdict of each report of one imported item, for `tlsrptctl import`
// and `tlsrptctl rejected reimport`: the item's signatures verified as the milter does
// (dkim_verify.hpp), then the RFC 8460 §3 rule per report (dkim_rule.hpp). Items that carry
// no DKIM-Signature (bare JSON, gzip, unsigned mail) get "none" without a DNS lookup.
#pragma once

#include "commands.hpp"
#include "tlsrpt/dkim_verify.hpp"
#include "tlsrpt/report.hpp"
#include "tlsrpt/store.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tlsrptctl {

// Removes every `flag` (a valueless option such as --require-dkim or --trust) from `args`;
// true when there was one.
bool take_flag(Args& args, const std::string& flag);

// True when `bytes` are a mail message with a DKIM-Signature field (RFC 6376 §3.5) in its
// header section: the only items worth verifying.
bool has_dkim_signature(std::string_view bytes);

// assess_reports() on the verified signatures of `bytes`, one verdict per report; every
// verdict "none" when the item carries no signature.
std::vector<tlsrpt::DkimAssessment> item_verdicts(const tlsrpt::DkimVerifier& verifier,
                                                  std::string_view bytes,
                                                  const std::vector<tlsrpt::Report>& reports);

// The verdict as stored, with "tlsrptctl" as who verified it.
tlsrpt::store::DkimInfo stored_verdict(const tlsrpt::DkimAssessment& a);

// "DKIM: pass d=example.com s=sel (rsa-sha256)", or "DKIM: fail: <reason>".
std::string describe_verdict(const tlsrpt::DkimAssessment& a);

} // namespace tlsrptctl
