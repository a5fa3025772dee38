// container.hpp: the container stage. Finds the report parts of an RFC 5322 message with GMime
// (RFC 8460 §5.3, RFC 6522) and captures the headers the store and the DKIM check need.
#pragma once

#include "tlsrpt/error.hpp"
#include "tlsrpt/limits.hpp"
#include "tlsrpt/report.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt {

// One MIME leaf that holds (or claims to hold) a report, transfer-decoded.
struct Payload {
    std::string bytes;
    std::string name;         // filename (RFC 2231 decoded) or empty
    std::string content_type; // "type/subtype", lower case
};

struct Extraction {
    MessageHeaders headers;
    std::vector<Payload> payloads;
    std::size_t parts_seen = 0;
};

// Parses the message and returns every report part in it, in MIME order. Refuses a message
// over max_message_size, deeper than max_mime_depth, with more than max_mime_parts parts, or
// with no report part at all (naming the parts it saw).
Result<Extraction> extract_message(std::string_view message, const Limits& limits);

} // namespace tlsrpt
