// report_parse.hpp: the JSON stage. Turns the bytes of one RFC 8460 §4.4 report into a Report,
// tolerating the deviations real senders make (each recorded as a quirk) and refusing, with the
// JSON path at fault, what cannot be read.
#pragma once

#include "tlsrpt/error.hpp"
#include "tlsrpt/limits.hpp"
#include "tlsrpt/report.hpp"

#include <string>

namespace tlsrpt {

// Parses one report. `headers` (may be null) supplies TLS-Report-Domain when a policy lacks
// policy-domain; they are also copied onto the report. Takes the JSON by value: it becomes
// Report::raw_json. Spends from `budget` (the message's; its JSON bytes already counted by
// the caller), else from a budget of its own that counts the JSON too. Uses one simdjson
// parser per thread.
Result<Report> parse_report_json(std::string json, const Limits& limits,
                                 const MessageHeaders* headers = nullptr, Budget* budget = nullptr);

// True for the RFC 8460 §4.3 / IANA "STARTTLS Validation Result Types" values.
bool is_known_result_type(std::string_view value);

// True for sts, tlsa and no-policy-found (RFC 8460 §4.4).
bool is_known_policy_type(std::string_view value);

} // namespace tlsrpt
