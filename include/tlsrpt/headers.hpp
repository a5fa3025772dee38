// headers.hpp: RFC 5322 §2.2 header section handling: splitting header from body, walking the
// fields, unfolding (§2.2.3). Used by the container stage to capture the headers the store needs
// without building a GMime object per header.
#pragma once

#include "tlsrpt/report.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace tlsrpt {

struct HeaderSplit {
    std::string_view headers; // every header line, with its line ending
    std::string_view body;    // after the blank line; empty when there is none
};

// Splits at the first empty line (CRLF or LF endings).
HeaderSplit split_header_section(std::string_view message);

// Calls `visit(name, raw_value)` for each field, in order; continuation lines belong to the
// field above; lines without a colon are skipped.
void for_each_header_field(std::string_view headers,
                           const std::function<void(std::string_view, std::string_view)>& visit);

// Removes the line breaks of folding and trims surrounding whitespace.
std::string unfold(std::string_view raw_value);

// The message without the Received fields at its top (with their continuation lines): what
// the receiving MTA prepends differs on every delivery attempt, the rest is the sender's and
// the same on each retry. The identity of a message for counting its attempts and keeping it
// once in quarantine.
std::string_view without_leading_trace(std::string_view message);

// GMime's one-time initialisation; thread-safe, cheap after the first call.
void init_gmime();

// Keeps the field in `h` when it is one the store needs (From, Subject, Message-ID, Date,
// TLS-Report-Domain, TLS-Report-Submitter: first instance; Authentication-Results: all),
// unfolded, with RFC 2047 encoded-words of From and Subject decoded.
void capture_header(MessageHeaders& h, std::string_view name, std::string_view raw_value);

} // namespace tlsrpt
