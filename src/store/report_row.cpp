// report_row.cpp: builds the statement parameters for one report (see report_row.hpp).
// Member names follow RFC 8460 §4.4 with '-' written as '_', as the table columns do.
#include "store/report_row.hpp"

#include "tlsrpt/text.hpp"

#include "tlsrpt/json_writer.hpp"

#include <arpa/inet.h>
#include <cstring>

namespace tlsrpt::store {

namespace {

// Length of the valid UTF-8 sequence starting at s[i] (RFC 3629 §4), or 0.
int hex4(std::string_view s, std::size_t i) {
    if (i + 4 > s.size()) return -1;
    int v = 0;
    for (std::size_t k = i; k < i + 4; ++k) {
        const char c = s[k];
        const int d = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

void put(JsonWriter& w, const char* key, std::string_view value) {
    if (!value.empty()) w.key(key).value(pg_text(value));
}

void put_list(JsonWriter& w, const char* key, const std::vector<std::string>& items) {
    w.key(key).begin_array();
    for (const std::string& s : items)
        w.value(pg_text(s));
    w.end_array();
}

// A valid address goes to the inet column, anything else to its _text twin.
void put_ip(JsonWriter& w, const char* key, const char* text_key, const std::string& ip) {
    if (ip.empty()) return;
    if (is_ip_address(ip))
        w.key(key).value(ip);
    else
        w.key(text_key).value(pg_text(ip));
}

void put_detail(JsonWriter& w, const FailureDetail& d) {
    w.begin_object();
    w.key("result_type").value(pg_text(d.result_type));
    put_ip(w, "sending_mta_ip", "sending_mta_ip_text", d.sending_mta_ip);
    put_ip(w, "receiving_ip", "receiving_ip_text", d.receiving_ip);
    put(w, "receiving_mx_hostname", d.receiving_mx_hostname);
    put(w, "receiving_mx_helo", d.receiving_mx_helo);
    w.key("failed_session_count").value(d.failed_session_count);
    put(w, "additional_information", d.additional_information);
    put(w, "failure_reason_code", d.failure_reason_code);
    w.end_object();
}

// The parsed policy-string (RFC 8461 §3.2 for sts, RFC 6698 §2.2 for tlsa).
void put_parsed_policy(JsonWriter& w, const Policy& p) {
    if (p.sts) {
        put(w, "sts_mode", p.sts->mode);
        if (p.sts->max_age) w.key("sts_max_age").value(*p.sts->max_age);
        put_list(w, "sts_mx", p.sts->mx);
    }
    if (!p.tlsa.empty()) {
        std::vector<std::string> records;
        for (const TlsaRecord& t : p.tlsa)
            records.push_back(std::to_string(t.usage) + " " + std::to_string(t.selector) + " " +
                              std::to_string(t.matching_type) + " " + t.data);
        put_list(w, "tlsa", records);
    }
}

void put_policy(JsonWriter& w, const Policy& p, std::int64_t ordinal) {
    w.begin_object();
    w.key("ordinal").value(ordinal);
    w.key("policy_type").value(pg_text(p.policy_type));
    put(w, "policy_domain", p.policy_domain);
    put_list(w, "policy_string", p.policy_string);
    put_list(w, "mx_host", p.mx_host);
    put_parsed_policy(w, p);
    w.key("total_successful_session_count").value(p.total_successful_session_count);
    w.key("total_failure_session_count").value(p.total_failure_session_count);
    w.key("failure_details").begin_array();
    for (const FailureDetail& d : p.failure_details)
        put_detail(w, d);
    w.end_array();
    w.end_object();
}

// Only what the report says, not how it travelled: the same report sent pretty-printed,
// gzipped or by another route hashes the same (digest §5, duplicates and re-sends).
std::string content_json(const Report& r) {
    JsonWriter w;
    w.begin_object();
    put(w, "organization_name", r.organization_name);
    put(w, "contact_info", r.contact_info);
    w.key("report_id").value(pg_text(r.report_id));
    w.key("start_datetime").value(r.start_datetime);
    w.key("end_datetime").value(r.end_datetime);
    w.key("policies").begin_array();
    std::int64_t ordinal = 0;
    for (const Policy& p : r.policies)
        put_policy(w, p, ordinal++);
    w.end_array();
    w.end_object();
    return w.str();
}

std::size_t count_rows(const Report& r) {
    std::size_t n = 1 + r.policies.size();
    for (const Policy& p : r.policies)
        n += p.failure_details.size();
    return n;
}

} // namespace

std::string pg_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = tlsrpt::utf8_length(s, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        if (s[i] != '\0') out.append(s.substr(i, n));
        i += n;
    }
    return out;
}

OptText opt_text(std::string_view s) {
    if (s.empty()) return std::nullopt;
    return pg_text(s);
}

bool is_ip_address(const std::string& s) {
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool jsonb_accepts(std::string_view json) {
    if (!tlsrpt::is_valid_utf8(json)) return false;
    for (std::size_t i = json.find('\\'); i != std::string_view::npos; i = json.find('\\', i)) {
        if (i + 1 >= json.size()) return false;
        if (json[i + 1] != 'u') {
            i += 2; // \" \\ \/ \b \f \n \r \t
            continue;
        }
        const int cp = hex4(json, i + 2);
        if (cp <= 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return false; // \u0000, lone low
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) { // a high surrogate needs a low one next
            const int low = json.substr(i, 2) == "\\u" ? hex4(json, i + 2) : -1;
            if (low < 0xDC00 || low > 0xDFFF) return false;
            i += 6;
        }
    }
    return true;
}

std::string text_array_literal(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const std::string& item : items) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (char c : pg_text(item)) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

ReportRow make_report_row(const Report& r, const StoreOptions& options) {
    ReportRow row;
    row.reporter = pg_text(r.reporter());
    row.report_id = pg_text(r.report_id);
    row.organization_name = opt_text(r.organization_name);
    row.contact_info = opt_text(r.contact_info);
    row.start_datetime = r.start_datetime;
    row.end_datetime = r.end_datetime;
    row.source = to_string(options.source);
    row.message_id = opt_text(r.headers.message_id);
    row.mail_from = opt_text(r.headers.from);
    row.subject = opt_text(r.headers.subject);
    row.tls_report_domain = opt_text(r.headers.tls_report_domain);
    row.tls_report_submitter = opt_text(r.headers.tls_report_submitter);
    row.dkim_result = opt_text(options.dkim.result);
    row.dkim_domain = opt_text(options.dkim.domain);
    row.dkim_selector = opt_text(options.dkim.selector);
    row.dkim_algorithm = opt_text(options.dkim.algorithm);
    row.dkim_source = opt_text(options.dkim.source);
    row.dkim_dnssec = opt_text(options.dkim.dnssec);
    row.dkim_authenticated = options.dkim.authenticated;
    row.authserv_dkim = opt_text(options.dkim.authserv);
    if (is_ip_address(options.client_address)) row.client_address = options.client_address;
    row.user_agent = opt_text(pg_text(options.user_agent.substr(0, 500)));
    if (options.received_at > 0) row.received_at = options.received_at;
    row.quirks = text_array_literal(r.quirks);
    if (r.raw_json.empty()) {
        // a report built in code has no original text
    } else if (jsonb_accepts(r.raw_json)) {
        row.raw = r.raw_json;
    } else {
        row.raw_text = pg_text(r.raw_json);
    }
    row.content = content_json(r);
    row.rows = count_rows(r);
    return row;
}

} // namespace tlsrpt::store
