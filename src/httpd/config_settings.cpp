// config_settings.cpp: the one table of tlsrpt-httpd's settings (name, default, example, help,
// parser), in the order of the sample file; config.cpp derives the defaults, the file parser
// and --dump-config from it through service/settings_table.hpp.
#include "config_table.hpp"

#include "tlsrpt/text.hpp"

namespace httpd {

namespace {

using service::kMaxSize;
using service::parse_bool;
using service::parse_count;
using service::parse_duration;
using service::parse_facility;
using service::parse_listen;
using service::parse_size;
using service::split_list;

std::vector<std::string> parse_paths(const std::string& text) {
    std::vector<std::string> out = split_list(text);
    if (out.empty()) throw std::invalid_argument("name at least one path");
    for (const std::string& p : out)
        if (p.front() != '/' || p.find_first_of("?# \t") != std::string::npos)
            throw std::invalid_argument("'" + p + "' is not a path (starts with /, no ? or #)");
    return out;
}

std::chrono::milliseconds positive_duration(const std::string& text) {
    const auto d = parse_duration(text);
    if (d.count() <= 0) throw std::invalid_argument("must be more than 0");
    return d;
}

const Setting kSettings[] = {
    {"Listen", "127.0.0.1:8460", "",
     "Address and port to accept HTTP on (IP:PORT, IPv6 as [::1]:8460). Repeat the line for\n"
     "several. With TLSCertificate set, every Listen speaks HTTPS.",
     [](Config& c, const std::string& v) {
         const std::string& addr = v;
         if (addr.empty()) throw std::invalid_argument("expected IP:PORT");
         if (!c.listen_from_file) c.listen.clear(); // a file's first Listen replaces the default
         c.listen_from_file = true;
         if (addr.front() == '[') {
             const auto close = addr.find("]:");
             if (close == std::string::npos ||
                 addr.find_first_not_of("0123456789", close + 2) != std::string::npos)
                 throw std::invalid_argument("expected [IPv6]:PORT");
         } else {
             parse_listen(addr);
         }
         c.listen.push_back(addr);
     }},
    {"Paths", "/v1/tlsrpt, /", "",
     "Comma-separated request paths that accept reports (the path of the https: URI in your\n"
     "_smtp._tls TXT record, RFC 8460 §3); a query string is ignored. Any other path is 404.\n"
     "An unguessable path (/v1/tlsrpt/k7Qx...) works as a shared secret.",
     [](Config& c, const std::string& v) { c.paths = parse_paths(v); }},
    {"UserID", "", "tlsrpt-httpd",
     "User (and its primary group) to run as after the sockets are open. Empty: keep the\n"
     "identity the program was started with. Overridden by -u.",
     [](Config& c, const std::string& v) { c.user_id = v; }},
    {"PidFile", "", "/run/tlsrpt-httpd/tlsrpt-httpd.pid", "File to write the process id to.",
     [](Config& c, const std::string& v) { c.pid_file = v; }},
    {"Database", "", "dbname=tlsrpt host=/var/run/postgresql",
     "libpq connection string (or service=NAME); empty: the PG* environment variables.",
     [](Config& c, const std::string& v) { c.database = v; }},
    {"DatabaseTimeout", "2s", "",
     "How long a request waits for a database connection and for its statement; past it,\n"
     "or when the database is unreachable, the report is spooled and answered 201.",
     [](Config& c, const std::string& v) { c.database_timeout = positive_duration(v); }},
    {"DatabasePoolSize", "8", "",
     "Database connections at most, and reports read and stored at once (the drainer's\n"
     "included); a request waiting longer than DatabaseTimeout for one is spooled unread.",
     [](Config& c, const std::string& v) { c.database_pool_size = parse_count(v, 1, 1000); }},
    {"SpoolDirectory", "/var/spool/tlsrpt-httpd", "",
     "Where reports wait while the database is away (written to tmp/, fsync'ed, renamed\n"
     "into new/; deleted only after the database committed them). Must be on local disk.",
     [](Config& c, const std::string& v) {
         if (v.empty() || v.front() != '/')
             throw std::invalid_argument("expected an absolute path");
         c.spool_directory = v;
     }},
    {"SpoolMaxBytes", "1g", "",
     "The spool's size cap in bytes; past it new reports are answered 503 (the sender may\n"
     "retry).",
     [](Config& c, const std::string& v) { c.spool_max_bytes = parse_count(v, 65536, kMaxSize); }},
    {"SpoolMaxFiles", "100000", "",
     "The spool's cap in reports; past it new reports are answered 503.",
     [](Config& c, const std::string& v) { c.spool_max_files = parse_count(v, 1, 10000000); }},
    {"MaxReportSize", "4m", "",
     "Largest request body as sent (compressed or not); larger is 413, checked while reading.",
     [](Config& c, const std::string& v) {
         c.max_report_size = parse_count(v, 1024, kMaxSize);
         c.limits.max_message_size = c.max_report_size; // what the pipeline is given
     }},
    {"MaxDecompressedSize", "8m", "",
     "Largest report after gunzip; a gzip body inflating past it is 413 (a gzip bomb ends\n"
     "early: the body is inflated, and counted, while it is read). At most DatabasePoolSize\n"
     "bodies are read at once, each costing a few times this much memory at worst.",
     [](Config& c, const std::string& v) {
         c.limits.max_decompressed_size = parse_count(v, 1024, kMaxSize);
     }},
    {"MaxConnections", "64", "",
     "Connections served at once (one thread each); more wait in the listen queue.",
     [](Config& c, const std::string& v) { c.max_connections = parse_count(v, 1, 10000); }},
    {"MaxHeaderSize", "16k", "", "Largest request line plus header fields; larger is refused.",
     [](Config& c, const std::string& v) { c.max_header_size = parse_count(v, 1024, 1 << 20); }},
    {"ReadTimeout", "10s", "",
     "Longest wait for the next bytes of a request (header or body) before the connection\n"
     "is dropped (slowloris).",
     [](Config& c, const std::string& v) { c.read_timeout = positive_duration(v); }},
    {"BodyTimeout", "60s", "",
     "Longest time to receive a whole body, however steadily it trickles: past it, 408.",
     [](Config& c, const std::string& v) { c.body_timeout = positive_duration(v); }},
    {"KeepAliveTimeout", "15s", "", "How long an idle keep-alive connection stays open.",
     [](Config& c, const std::string& v) { c.keep_alive_timeout = positive_duration(v); }},
    {"MaxRequestsPerConnection", "1000", "",
     "Requests on one connection before it is closed (Connection: close).",
     [](Config& c, const std::string& v) {
         c.max_requests_per_connection = parse_count(v, 1, 1000000);
     }},
    {"RateLimit", "10 100", "",
     "Per client IP token bucket: RATE BURST (requests per second refilled, bucket size);\n"
     "past it, 429 with Retry-After. 0: no limit.",
     [](Config& c, const std::string& v) { c.rate_limit = parse_rate_limit(v); }},
    {"AllowFrom", "0.0.0.0/0, ::/0", "",
     "Comma-separated CIDR blocks of clients allowed to post; others get 403. HTTPS reports\n"
     "carry no authentication (RFC 8460 §3 asks DKIM only of mail): narrow this, or use a\n"
     "secret path, where only known reporters may post.",
     [](Config& c, const std::string& v) { c.allow_from = parse_cidr_list(v); }},
    {"TrustedProxies", "", "127.0.0.1, ::1",
     "Reverse proxies (CIDR) whose X-Forwarded-For names the client (its last address is\n"
     "used for AllowFrom, RateLimit and the stored client address). Empty: the peer is the\n"
     "client.",
     [](Config& c, const std::string& v) { c.trusted_proxies = parse_cidr_list(v); }},
    {"TLSCertificate", "", "/etc/tlsrpt-httpd/cert.pem",
     "PEM certificate chain: serve HTTPS directly (reloaded on SIGHUP). Empty: plain HTTP,\n"
     "for a reverse proxy in front that terminates TLS (contrib/nginx-tlsrpt-httpd.conf).",
     [](Config& c, const std::string& v) { c.tls_certificate = v; }},
    {"TLSKey", "", "/etc/tlsrpt-httpd/key.pem", "PEM private key of TLSCertificate.",
     [](Config& c, const std::string& v) { c.tls_key = v; }},
    {"MetricsListen", "", "127.0.0.1:9461",
     "IP:PORT to serve Prometheus metrics on at /metrics. Empty: none.",
     [](Config& c, const std::string& v) { c.metrics_listen = parse_listen(v); }},
    {"ShutdownTimeout", "30s", "", "How long SIGTERM waits for requests in flight.",
     [](Config& c, const std::string& v) {
         c.shutdown_timeout = std::chrono::duration_cast<std::chrono::seconds>(parse_duration(v));
     }},
    {"Syslog", "yes", "", "yes: log to syslog; no: log to standard error.",
     [](Config& c, const std::string& v) { c.syslog = parse_bool(v); }},
    {"SyslogFacility", "mail", "", "Syslog facility: mail, daemon, user or local0..local7.",
     [](Config& c, const std::string& v) { c.syslog_facility = parse_facility(v); }},
};

} // namespace

RateLimit parse_rate_limit(const std::string& text) {
    const std::string t(tlsrpt::trim(text));
    if (t == "0") return {};
    const auto sp = t.find_first_of(" \t");
    if (sp == std::string::npos) throw std::invalid_argument("expected RATE BURST, or 0");
    std::size_t used = 0;
    RateLimit r;
    const std::string a = t.substr(0, sp);
    const std::string b(tlsrpt::trim(t.substr(sp)));
    try {
        r.per_second = std::stod(a, &used);
        if (used != a.size()) throw std::invalid_argument("");
        r.burst = std::stod(b, &used);
        if (used != b.size()) throw std::invalid_argument("");
    } catch (const std::exception&) {
        throw std::invalid_argument("expected RATE BURST as numbers, e.g. 10 100");
    }
    if (!(r.per_second > 0 && r.per_second <= 1e6 && r.burst >= 1 && r.burst <= 1e6))
        throw std::invalid_argument("RATE must be in (0, 1e6], BURST in [1, 1e6]");
    return r;
}

std::span<const Setting> settings() {
    return kSettings;
}

} // namespace httpd
