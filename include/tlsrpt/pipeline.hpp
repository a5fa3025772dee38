// pipeline.hpp: the whole reading pipeline in one call: bytes in any accepted form (RFC 5322
// message, bare JSON, gzip, zip) -> container -> decompression -> JSON -> reports.
// The milter, tlsrptctl and the tests all read through here.
#pragma once

#include "tlsrpt/error.hpp"
#include "tlsrpt/limits.hpp"
#include "tlsrpt/report.hpp"

#include <string_view>
#include <vector>

namespace tlsrpt {

enum class InputKind { message, json, gzip, zip };

const char* to_string(InputKind kind);

// What the bytes are, by sniffing: gzip/zip magic, a leading '{', else a mail message.
InputKind detect_input(std::string_view bytes);

// Every report in the input, or the first refusal. A message is all-or-nothing: one report
// part that cannot be read refuses the whole message (it is quarantined whole by the caller).
Result<std::vector<Report>> read_reports(std::string_view bytes, const Limits& limits);

} // namespace tlsrpt
