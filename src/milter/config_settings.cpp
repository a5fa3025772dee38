// config_settings.cpp: the one table of tlsrpt-milter's settings (name, default, example,
// help, parser), in the order of the sample file, and the value parsers it uses. config.cpp
// derives the defaults, the file parser and --dump-config from it.
#include "config_table.hpp"

#include "recipients.hpp"

#include "tlsrpt/dns.hpp"
#include "tlsrpt/text.hpp"

#include <sstream>

namespace milter {

namespace {

using service::kMaxSize;
using service::parse_bool;
using service::parse_count;
using service::parse_duration;
using service::parse_facility;
using service::parse_listen;
using service::parse_size;
using service::split_list;

OnInvalid parse_on_invalid(const std::string& text) {
    const std::string v = tlsrpt::to_lower(text);
    if (v == "quarantine") return OnInvalid::quarantine;
    if (v == "reject") return OnInvalid::reject;
    if (v == "pass") return OnInvalid::pass;
    throw std::invalid_argument("expected quarantine, reject or pass");
}

std::string parse_socket(const std::string& text) {
    const bool unix_path = text.rfind("unix:/", 0) == 0 || text.rfind("local:/", 0) == 0;
    const bool inet = (text.rfind("inet:", 0) == 0 || text.rfind("inet6:", 0) == 0) &&
                      text.find_first_of("0123456789") != std::string::npos;
    if (!unix_path && !inet)
        throw std::invalid_argument("expected unix:/path or inet:port@host (libmilter syntax)");
    return text;
}

std::vector<std::string> parse_addresses(const std::string& text) {
    std::vector<std::string> out;
    for (const std::string& a : split_list(text)) {
        std::string n = normalize_address(a);
        if (n.find('@') == std::string::npos || n.front() == '@' || n.back() == '@')
            throw std::invalid_argument("'" + a + "' is not an address (local@domain)");
        out.push_back(std::move(n));
    }
    return out;
}

mode_t parse_umask(const std::string& text) {
    if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
        throw std::invalid_argument("expected an octal mask such as 007");
    return static_cast<mode_t>(std::stoul(text, nullptr, 8));
}

std::string parse_resolver(const std::string& text) {
    if (tlsrpt::iequals(text, "system")) return "system";
    tlsrpt::dns::forwarder_address(text); // throws std::invalid_argument with the reason
    return text;
}

// The table. Order is the order of the sample file.
const Setting kSettings[] = {
    {"Socket", "unix:/run/tlsrpt-milter/tlsrpt-milter.sock", "",
     "Where to listen for the MTA, in libmilter syntax: unix:/path/to/socket or\n"
     "inet:port@host (note: Postfix writes inet:host:port). Overridden by -p.",
     [](Config& c, const std::string& v) { c.socket = parse_socket(v); }},
    {"UserID", "", "tlsrpt-milter",
     "User (and its primary group) to run as after the socket is open. Empty: keep the\n"
     "identity the program was started with. Overridden by -u.",
     [](Config& c, const std::string& v) { c.user_id = v; }},
    {"PidFile", "", "/run/tlsrpt-milter/tlsrpt-milter.pid",
     "File to write the process id to. Empty: none. Overridden by -P.",
     [](Config& c, const std::string& v) { c.pid_file = v; }},
    {"UMask", "007", "",
     "Octal umask applied before the socket is created (007: the socket is usable by\n"
     "the owner and its group, e.g. add the postfix user to that group).",
     [](Config& c, const std::string& v) { c.umask = parse_umask(v); }},
    {"Database", "dbname=tlsrpt", "",
     "PostgreSQL connection string (libpq conninfo or service=NAME). The schema must be\n"
     "current: tlsrptctl db migrate --db '<conninfo>'. Until it is, the milter logs the\n"
     "commands that set the database up, answers 451 to mail for report addresses and\n"
     "checks again (every minute at most).",
     [](Config& c, const std::string& v) { c.database = v; }},
    {"ReportAddresses", "", "tlsrpt@example.com, tls-reports@example.net",
     "Comma-separated report addresses (the rua=mailto: of your _smtp._tls TXT records).\n"
     "Compared case-insensitively; tlsrpt+anything@example.com matches\n"
     "tlsrpt@example.com. Mail to nobody in this list passes untouched. Required.",
     [](Config& c, const std::string& v) { c.report_addresses = parse_addresses(v); }},
    {"OnInvalid", "quarantine", "",
     "What to do with mail to a report address that holds no usable report:\n"
     "quarantine (keep it in tlsrpt.rejected_messages and drop it), reject (550 5.6.0),\n"
     "or pass (deliver it untouched).",
     [](Config& c, const std::string& v) { c.on_invalid = parse_on_invalid(v); }},
    {"DKIMVerify", "yes", "",
     "yes: verify the DKIM signatures (RFC 6376) of every message to a report address\n"
     "in the milter itself, with keys from DNS (see Resolver). no: rely on the\n"
     "Authentication-Results of a verifier in front (see TrustedAuthservIDs).",
     [](Config& c, const std::string& v) { c.dkim_verify = parse_bool(v); }},
    {"RequireDKIM", "yes", "",
     "yes: a report is usable only with a DKIM signature that passes, has no l=, uses\n"
     "rsa-sha256 or ed25519-sha256 with a key allowing service tlsrpt, and whose d= is\n"
     "the reporter's domain or a parent or child of it (RFC 8460 section 3). Others\n"
     "follow OnInvalid. no: every report is stored; its DKIM result is recorded.",
     [](Config& c, const std::string& v) { c.require_dkim = parse_bool(v); }},
    {"Resolver", "system", "",
     "Where DKIM keys are looked up: system (the name servers of /etc/resolv.conf), or\n"
     "the IP or IP:PORT of one resolver to ask ([IPv6]:PORT).",
     [](Config& c, const std::string& v) { c.resolver = parse_resolver(v); }},
    {"DNSSECTrustAnchor", "", "/usr/share/dns/root.key",
     "A DNSSEC trust anchor file: key lookups are then validated and each report\n"
     "records secure, insecure or bogus. Empty: no validation. Needs a resolver that\n"
     "returns DNSSEC records.",
     [](Config& c, const std::string& v) { c.trust_anchor = v; }},
    {"DNSTimeout", "5", "",
     "Seconds all DKIM key lookups of one message may take together. When they do not\n"
     "finish, the message gets 451 4.7.5 and the sender retries. Suffix ms.",
     [](Config& c, const std::string& v) {
         c.dns_timeout = parse_duration(v);
         if (c.dns_timeout.count() <= 0) throw std::invalid_argument("must be positive");
     }},
    {"MaxDKIMSignatures", "8", "",
     "Most DKIM signatures verified per message (each costs a key lookup); later ones\n"
     "are not checked.",
     [](Config& c, const std::string& v) { c.max_dkim_signatures = parse_count(v, 1, 100); }},
    {"TrustedAuthservIDs", "", "mx.example.com",
     "Comma-separated authserv-ids whose Authentication-Results fields are believed\n"
     "(your own verifier's). Empty: this host's name. Their DKIM results are recorded;\n"
     "they decide only with DKIMVerify no. Strip incoming copies of your own\n"
     "authserv-id at the border, or a sender can forge a result.",
     [](Config& c, const std::string& v) { c.trusted_authserv_ids = split_list(v); }},
    {"MaxMessageSize", "16M", "",
     "Largest message to a report address; larger ones get 552 5.3.4 as soon as the\n"
     "size is crossed. Suffixes k, M, G (powers of 1024).",
     [](Config& c, const std::string& v) {
         c.max_message_size = parse_count(v, 1024, kMaxSize);
         c.limits.max_message_size = c.max_message_size;
     }},
    {"MaxReportSize", "8M", "",
     "Most JSON bytes after decompression, all reports of one message together (gzip\n"
     "and zip bombs stop here). Suffixes k, M, G.",
     [](Config& c, const std::string& v) {
         c.limits.max_decompressed_size = parse_count(v, 1024, kMaxSize);
     }},
    {"MaxReports", "32", "", "Most reports read from one message.",
     [](Config& c, const std::string& v) { c.limits.max_reports = parse_count(v, 1, 100000); }},
    {"MaxMimeParts", "64", "", "Most MIME parts in one message.",
     [](Config& c, const std::string& v) { c.limits.max_mime_parts = parse_count(v, 1, 100000); }},
    {"MaxHeaderLines", "5000", "", "Most header lines in one message, its MIME parts included.",
     [](Config& c, const std::string& v) {
         c.limits.max_header_lines = parse_count(v, 100, 1000000);
     }},
    {"MaxMimeDepth", "8", "", "Deepest nesting of MIME multiparts.",
     [](Config& c, const std::string& v) { c.limits.max_mime_depth = parse_count(v, 1, 100); }},
    {"MaxJsonDepth", "16", "", "Deepest nesting of JSON objects and arrays in a report.",
     [](Config& c, const std::string& v) { c.limits.max_json_depth = parse_count(v, 5, 1000); }},
    {"MaxPolicies", "10000", "", "Most policies in one report.",
     [](Config& c, const std::string& v) { c.limits.max_policies = parse_count(v, 1, kMaxSize); }},
    {"MaxFailureDetails", "50000", "",
     "Most failure-details entries, all reports of one message together.",
     [](Config& c, const std::string& v) {
         c.limits.max_failure_details = parse_count(v, 1, kMaxSize);
     }},
    {"MaxJsonValues", "500000", "",
     "Most JSON strings, numbers and list entries read, all reports of one message\n"
     "together.",
     [](Config& c, const std::string& v) {
         c.limits.max_json_values = parse_count(v, 100, kMaxSize);
     }},
    {"MaxStringLength", "64k", "", "Longest JSON string member of a report.",
     [](Config& c, const std::string& v) {
         c.limits.max_string_length = parse_count(v, 256, kMaxSize);
     }},
    {"DatabaseTimeout", "10", "",
     "Seconds to wait for a free database connection, and the statement timeout. When it\n"
     "passes the message gets 451 4.3.0 and the sender retries. Suffix ms for\n"
     "milliseconds.",
     [](Config& c, const std::string& v) {
         c.database_timeout = parse_duration(v);
         if (c.database_timeout.count() <= 0) throw std::invalid_argument("must be positive");
     }},
    {"DatabasePoolSize", "4", "",
     "Most database connections open at once; messages beyond it wait (see\n"
     "DatabaseTimeout).",
     [](Config& c, const std::string& v) { c.database_pool_size = parse_count(v, 1, 1000); }},
    {"RetryLimit", "10", "",
     "Temporary failures (4xx) of one message while the database answers, after which\n"
     "it is handled as holding no usable report (OnInvalid: quarantined with the reason)\n"
     "instead of being retried until the sender gives up.",
     [](Config& c, const std::string& v) { c.retry_limit = parse_count(v, 1, 1000); }},
    {"RetryMaxAge", "24h", "",
     "The same, by time since the first temporary failure of the message. Suffixes s,\n"
     "ms, h.",
     [](Config& c, const std::string& v) {
         c.retry_max_age = parse_duration(v);
         if (c.retry_max_age.count() <= 0) throw std::invalid_argument("must be positive");
     }},
    {"ShutdownTimeout", "30", "",
     "Seconds SIGTERM waits for messages in flight before the process exits.",
     [](Config& c, const std::string& v) {
         c.shutdown_timeout = std::chrono::duration_cast<std::chrono::seconds>(parse_duration(v));
     }},
    {"MetricsListen", "", "127.0.0.1:9460",
     "IP:PORT to serve Prometheus metrics on (path /metrics). Empty: none. Takes effect at\n"
     "start (a reload keeps the running one).",
     [](Config& c, const std::string& v) { c.metrics_listen = parse_listen(v); }},
    {"MetricsDomains", "", "example.com, example.net",
     "Comma-separated policy domains that get their own label in\n"
     "tlsrpt_milter_sessions_total; all others are summed as \"other\". Empty: the\n"
     "domains of ReportAddresses.",
     [](Config& c, const std::string& v) {
         c.metrics_domains.clear();
         for (const std::string& d : split_list(v))
             c.metrics_domains.push_back(tlsrpt::normalize_domain(d));
     }},
    {"Syslog", "yes", "", "yes: log to syslog; no: log to standard error.",
     [](Config& c, const std::string& v) { c.syslog = parse_bool(v); }},
    {"SyslogFacility", "mail", "", "Syslog facility: mail, daemon, user or local0..local7.",
     [](Config& c, const std::string& v) { c.syslog_facility = parse_facility(v); }},
};

} // namespace

std::span<const Setting> settings() {
    return kSettings;
}

} // namespace milter
