// server.hpp: the HTTP(S) face of tlsrpt-httpd on CivetWeb (libcivetweb, one thread per
// connection, MaxConnections threads). Every request goes through the same checks in order:
// AllowFrom (403), the per-IP rate limit (429), the path (404), the method (405, RFC 8460 §5.4
// POST only), the media type (415), the size (413, from Content-Length and while reading,
// compressed and decompressed: body_reader.hpp), the body deadline (408), then the intake
// (201 / 400 / 503).
#pragma once

#include "config.hpp"
#include "drainer.hpp"
#include "intake.hpp"
#include "rate_limit.hpp"
#include "reply.hpp"

#include <atomic>
#include <string>

struct mg_context;
struct mg_connection;

namespace httpd {

class Server {
  public:
    // Starts listening; throws std::runtime_error naming what failed (port in use, TLS).
    Server(const Config& config, Intake& intake, Drainer& drainer);
    ~Server(); // stops: waits for requests in flight
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    Reply serve(mg_connection* conn);

  private:
    Reply read_and_accept(mg_connection* conn, const std::string& client);

    const Config& config_;
    Intake& intake_;
    Drainer& drainer_;
    RateLimiter limiter_;
    mg_context* ctx_ = nullptr;
    std::atomic<int> in_flight_{0};
    std::atomic<bool> stopping_{false};
};

// Loads TLSCertificate and TLSKey (when set) into a throwaway TLS context: throws
// std::runtime_error naming the file at fault, so a reload with a bad file never stops the
// running server.
void check_tls_files(const Config& config);

// The client address: the peer, or the last X-Forwarded-For address when the peer is one of
// TrustedProxies.
std::string client_address(const std::string& peer, const char* forwarded_for,
                           const std::vector<Cidr>& trusted_proxies);

} // namespace httpd
