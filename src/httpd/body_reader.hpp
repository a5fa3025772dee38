// body_reader.hpp: one request body read under the limits, before anything looks inside it.
// The framing is checked first (RFC 9112 §6: one Content-Length, or chunked alone: a request
// with both, or with two different lengths, could be read two ways and is refused), then
// `Expect: 100-continue` answered (RFC 9110 §10.1.1), then the body read: MaxReportSize as it
// arrives, a gzip body inflated and counted, not kept, so a bomb stops at MaxDecompressedSize
// after a small part of it, each pause bounded (ReadTimeout, 408) and the whole (BodyTimeout).
#pragma once

#include "reply.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

struct mg_connection;

namespace httpd {

struct BodyLimits {
    std::size_t max_size = 0;     // MaxReportSize: the body as sent
    std::size_t max_inflated = 0; // MaxDecompressedSize: a gzip body inflated
    std::chrono::milliseconds read_timeout{0};
    std::chrono::milliseconds body_timeout{0};
};

// The framing refused, or nullopt when it is sound (and 100 Continue sent when asked for).
std::optional<Reply> check_framing(mg_connection* conn, std::size_t max_size);

// Reads the whole body into `body`; nullopt when it arrived whole and may be a report, else the
// refusal. `stopping`: the server is going away, so a body cut short is 503 (send it again),
// not the client's fault.
std::optional<Reply> read_body(mg_connection* conn, const BodyLimits& limits,
                               const std::atomic<bool>& stopping, std::string& body);

} // namespace httpd
