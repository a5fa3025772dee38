// body_reader.cpp: framing checks and the bounded body read (body_reader.hpp).
#include "body_reader.hpp"

#include "media_type.hpp"

#include "tlsrpt/inflate_stream.hpp"

#include <civetweb.h>

#include <cstring>
#include <string_view>

namespace httpd {

namespace {

using Clock = std::chrono::steady_clock;

bool is(const char* value, const char* want) {
    return value && mg_strcasecmp(value, want) == 0;
}

// Why a body that stopped early stopped: the server stopping, the client pausing past
// ReadTimeout, or the client's framing (a connection closed early, a bad chunk).
Reply cut_short(const std::atomic<bool>& stopping, Clock::time_point last_progress,
                const BodyLimits& limits, const char* what) {
    if (stopping) return {503, "the receiver is restarting: send the report again", 5, true};
    if (Clock::now() - last_progress >= limits.read_timeout * 9 / 10)
        return {408, "the body paused for longer than ReadTimeout", 0, true};
    return {400, what, 0, true};
}

} // namespace

std::optional<Reply> check_framing(mg_connection* conn, std::size_t max_size) {
    const mg_request_info* ri = mg_get_request_info(conn);
    const char* length = nullptr;
    const char* encoding = nullptr;
    const char* expect = nullptr;
    for (int i = 0; i < ri->num_headers; ++i) {
        const mg_header& h = ri->http_headers[i];
        if (is(h.name, "Content-Length")) {
            if (length && std::strcmp(length, h.value) != 0)
                return Reply{400, "two different Content-Length headers", 0, true};
            length = h.value;
        } else if (is(h.name, "Transfer-Encoding")) {
            if (encoding) return Reply{400, "two Transfer-Encoding headers", 0, true};
            encoding = h.value;
        } else if (is(h.name, "Expect")) {
            expect = h.value;
        }
    }
    if (encoding && !is(encoding, "chunked"))
        return Reply{400, std::string("Transfer-Encoding '") + encoding + "' is not supported", 0,
                     true};
    if (encoding && length)
        return Reply{400, "both Transfer-Encoding and Content-Length (RFC 9112 section 6.1)", 0,
                     true};
    if (ri->content_length > static_cast<long long>(max_size))
        return Reply{413,
                     "body of " + std::to_string(ri->content_length) +
                         " bytes is over MaxReportSize " + std::to_string(max_size),
                     0, true};
    if (is(expect, "100-continue") && is(ri->http_version, "1.1")) {
        static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        mg_write(conn, kContinue, sizeof kContinue - 1);
    }
    return std::nullopt;
}

std::optional<Reply> read_body(mg_connection* conn, const BodyLimits& limits,
                               const std::atomic<bool>& stopping, std::string& body) {
    const mg_request_info* ri = mg_get_request_info(conn);
    const auto deadline = Clock::now() + limits.body_timeout;
    auto last_progress = Clock::now();
    tlsrpt::InflateStream inflate(limits.max_inflated, false); // counts, keeps nothing
    BodyKind kind = BodyKind::other;
    std::size_t fed = 0;            // body bytes given to the inflater
    std::string chunk(16384, '\0'); // not on the stack: CivetWeb's worker stacks are small
    for (;;) {
        const int n = mg_read(conn, chunk.data(), chunk.size());
        if (n < 0)
            return cut_short(stopping, last_progress, limits, "the chunked body is malformed");
        if (n == 0) break;
        last_progress = Clock::now();
        if (body.size() + static_cast<std::size_t>(n) > limits.max_size)
            return Reply{413, "body is over MaxReportSize " + std::to_string(limits.max_size), 0,
                         true};
        body.append(chunk.data(), static_cast<std::size_t>(n));
        if (kind == BodyKind::other) {
            kind = sniff_body(body);
            if (kind == BodyKind::other && body.size() >= 16)
                return Reply{415, "the body is neither gzip nor a JSON object", 0, true};
        }
        if (kind == BodyKind::gzip) {
            const auto st = inflate.feed(std::string_view(body).substr(fed));
            fed = body.size();
            if (st == tlsrpt::InflateStream::State::too_large)
                return Reply{413, inflate.error() + " (MaxDecompressedSize)", 0, true};
            if (st == tlsrpt::InflateStream::State::corrupt)
                return Reply{400, inflate.error(), 0, true};
        }
        if (Clock::now() > deadline)
            return Reply{408, "the body did not arrive within BodyTimeout", 0, true};
    }
    if (ri->content_length >= 0 && body.size() < static_cast<std::size_t>(ri->content_length))
        return cut_short(stopping, last_progress, limits, "the body ended before Content-Length");
    if (body.empty()) return Reply{400, "empty body: a report was expected", 0, false};
    if (kind == BodyKind::other)
        return Reply{415, "the body is neither gzip nor a JSON object", 0, true};
    if (kind == BodyKind::gzip && inflate.finish() != tlsrpt::InflateStream::State::done)
        return Reply{400, inflate.error(), 0, false};
    return std::nullopt;
}

} // namespace httpd
