// server.cpp: CivetWeb set-up, the request checks and the replies (see server.hpp).
#include "server.hpp"

#include "body_reader.hpp"
#include "media_type.hpp"
#include "metrics.hpp"
#include "tls_compat.hpp"

#include "service/log.hpp"
#include "tlsrpt/text.hpp"

#include <civetweb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>

namespace httpd {

namespace {

int handle(mg_connection* conn, void* data) {
    Server* server = static_cast<Server*>(data);
    Reply r;
    try {
        r = server->serve(conn);
    } catch (const std::exception& e) {
        service::log::error(std::string("request failed: ") + e.what());
        r = {503, "internal error, try again later", 60, true};
    }
    send_reply(conn, r);
    metrics::request(r.status);
    return r.status;
}

// Counts a request in flight for as long as it lives (Server::~Server waits for none).
class InFlight {
  public:
    explicit InFlight(std::atomic<int>& n) : n_(n) { ++n_; }
    ~InFlight() { --n_; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

  private:
    std::atomic<int>& n_;
};

int log_message(const mg_connection*, const char* message) {
    service::log::warning(std::string("http: ") + message);
    return 1;
}

int init_connection(const mg_connection*, void** conn_data) {
    *conn_data = nullptr; // requests served on this connection, as an integer
    return 0;
}

// OpenSSL's reason for the last failure ("key values mismatch", "no start line"), cleared.
std::string tls_reason() {
    const unsigned long e = ERR_peek_last_error();
    const char* r = e ? ERR_reason_error_string(e) : nullptr;
    ERR_clear_error();
    return r ? std::string(": ") + r : "";
}

// The certificate chain and key into ctx; empty when they load, else what is wrong.
std::string load_tls_files(SSL_CTX* ctx, const Config& c) {
    if (SSL_CTX_use_certificate_chain_file(ctx, c.tls_certificate.c_str()) != 1)
        return "cannot load TLSCertificate " + c.tls_certificate + " (a PEM chain)" + tls_reason();
    if (SSL_CTX_use_PrivateKey_file(ctx, c.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1)
        return "cannot use TLSKey " + c.tls_key + " with TLSCertificate " + c.tls_certificate +
               tls_reason();
    return "";
}

// TLSCertificate and TLSKey are separate files: loaded here into CivetWeb's context. CivetWeb
// has (re)loaded libssl just before this call and before it accepts anything: the moment to
// mend its function table (tls_compat.hpp).
int init_ssl(void* ssl_ctx, void* user_data) {
    const Config& c = *static_cast<const Config*>(user_data);
    if (fill_peer_certificate_entry() == TlsCompat::not_found) {
        service::log::error("this libcivetweb cannot serve TLS with this OpenSSL (no "
                            "SSL_get_peer_certificate entry found): leave TLSCertificate empty "
                            "and terminate TLS in a reverse proxy");
        return -1;
    }
    const std::string error = load_tls_files(static_cast<SSL_CTX*>(ssl_ctx), c);
    if (!error.empty()) {
        service::log::error(error);
        return -1;
    }
    return 1;
}

std::string header(mg_connection* conn, const char* name) {
    const char* v = mg_get_header(conn, name);
    return v ? v : "";
}

} // namespace

void check_tls_files(const Config& config) {
    if (config.tls_certificate.empty()) return;
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) throw std::runtime_error("cannot create a TLS context");
    const std::string error = load_tls_files(ctx, config);
    SSL_CTX_free(ctx);
    if (!error.empty()) throw std::runtime_error(error);
}

std::string client_address(const std::string& peer, const char* forwarded_for,
                           const std::vector<Cidr>& trusted_proxies) {
    if (!forwarded_for || trusted_proxies.empty() || !in_any(peer, trusted_proxies)) return peer;
    std::string v = forwarded_for;
    const auto comma = v.rfind(',');
    std::string last(tlsrpt::trim(comma == std::string::npos ? v : v.substr(comma + 1)));
    return parse_address(last) ? last : peer;
}

Server::Server(const Config& config, Intake& intake, Drainer& drainer)
    : config_(config), intake_(intake), drainer_(drainer), limiter_(config.rate_limit) {
    const bool tls = !config.tls_certificate.empty();
    mg_init_library(tls ? MG_FEATURES_TLS : 0);
    std::string ports;
    for (const std::string& l : config.listen)
        ports += (ports.empty() ? "" : ",") + l + (tls ? "s" : "");
    const std::string threads = std::to_string(config.max_connections);
    const std::string timeout = std::to_string(config.read_timeout.count());
    const std::string keep_alive = std::to_string(config.keep_alive_timeout.count());
    const std::string header_size = std::to_string(config.max_header_size);
    std::vector<const char*> options = {
        "listening_ports",    ports.c_str(),   "num_threads",           threads.c_str(),
        "request_timeout_ms", timeout.c_str(), "keep_alive_timeout_ms", keep_alive.c_str(),
        "enable_keep_alive",  "yes",           "max_request_size",      header_size.c_str(),
        "linger_timeout_ms",  "1000",          "tcp_nodelay",           "1"};
    if (tls) {
        options.insert(options.end(), {"ssl_certificate", config.tls_certificate.c_str(),
                                       "ssl_protocol_version", "4"}); // TLS 1.2 and later
    }
    options.push_back(nullptr);
    mg_callbacks callbacks{};
    callbacks.log_message = log_message;
    callbacks.init_connection = init_connection;
    if (tls) callbacks.init_ssl = init_ssl;
    ctx_ = mg_start(&callbacks, const_cast<Config*>(&config_), options.data());
    if (!ctx_) throw std::runtime_error("cannot listen on " + ports + " (see the log above)");
    mg_set_request_handler(ctx_, "/", handle, this);
}

// Requests in flight finish first (up to ShutdownTimeout; new ones are still served meanwhile,
// so a sender is not cut off mid-body): then CivetWeb stops, and a body still arriving after
// that is answered 503.
Server::~Server() {
    if (!ctx_) return;
    const auto until = std::chrono::steady_clock::now() + config_.shutdown_timeout;
    while (in_flight_ > 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stopping_ = true;
    mg_stop(ctx_);
}

Reply Server::serve(mg_connection* conn) {
    const InFlight counted(in_flight_);
    const mg_request_info* ri = mg_get_request_info(conn);
    auto served = reinterpret_cast<std::uintptr_t>(mg_get_user_connection_data(conn)) + 1;
    mg_set_user_connection_data(conn, reinterpret_cast<void*>(served));
    const bool last = served >= config_.max_requests_per_connection;
    const std::string client = client_address(
        ri->remote_addr, mg_get_header(conn, "X-Forwarded-For"), config_.trusted_proxies);
    Reply r;
    int retry = 0;
    const std::string path = ri->local_uri ? ri->local_uri : "";
    if (!in_any(client, config_.allow_from))
        r = {403, "client " + client + " is not in AllowFrom", 0, true};
    else if (!limiter_.admit(client, RateLimiter::Clock::now(), retry))
        r = {429, "too many requests from " + client, retry, false};
    else if (std::find(config_.paths.begin(), config_.paths.end(), path) == config_.paths.end())
        r = {404, "no reports are taken at " + path.substr(0, 100), 0, false};
    else if (std::string(ri->request_method) != "POST")
        r = {405, "reports are sent with POST (RFC 8460 section 5.4)", 0, false};
    else
        r = read_and_accept(conn, client);
    if (r.status >= 400 && r.status != 429 && r.status != 404 && r.status != 405)
        service::log::info("client=" + client + " status=" + std::to_string(r.status) +
                           " reason=" + service::log::quote(r.text));
    r.close = r.close || last;
    return r;
}

Reply Server::read_and_accept(mg_connection* conn, const std::string& client) {
    const mg_request_info* ri = mg_get_request_info(conn);
    SpoolEntry entry;
    entry.received_at = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    entry.client = client;
    entry.user_agent = header(conn, "User-Agent");
    entry.content_type = header(conn, "Content-Type");
    entry.content_encoding = header(conn, "Content-Encoding");
    entry.path = ri->local_uri ? ri->local_uri : "";
    const MediaVerdict media = classify_media(entry.content_type, entry.content_encoding);
    if (!media.acceptable) return {415, media.reason, 0, true};
    if (auto refused = check_framing(conn, config_.max_report_size)) return *refused;
    const BodyLimits limits{config_.max_report_size, config_.limits.max_decompressed_size,
                            config_.read_timeout, config_.body_timeout};
    if (auto refused = read_body(conn, limits, stopping_, entry.body)) return *refused;
    const IntakeResult res = intake_.accept(entry);
    switch (res.verdict) {
    case Verdict::stored:
        return {201, "stored: " + res.message, 0, false};
    case Verdict::spooled:
        drainer_.poke();
        return {201, "accepted: spooled, stored when the database is back", 0, false};
    case Verdict::invalid:
        return {400, res.message, 0, false};
    case Verdict::unavailable:
        return {503, res.message, 300, false};
    }
    return {503, "internal error", 60, true};
}

} // namespace httpd
