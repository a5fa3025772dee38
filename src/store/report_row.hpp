// report_row.hpp: a Report turned into the parameters of the one INSERT statement that stores
// it (store.cpp): text made safe for PostgreSQL, addresses checked, and the normalized content
// as one JSON document whose md5 tells a re-sent report from a conflicting one.
#pragma once

#include "tlsrpt/report.hpp"
#include "tlsrpt/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt::store {

using OptText = std::optional<std::string>;

struct ReportRow {
    std::string reporter;
    std::string report_id;
    OptText organization_name;
    OptText contact_info;
    std::int64_t start_datetime = 0;
    std::int64_t end_datetime = 0;
    std::string source;
    OptText message_id, mail_from, subject, tls_report_domain, tls_report_submitter;
    OptText dkim_result, dkim_domain, dkim_selector, dkim_algorithm, dkim_source, dkim_dnssec;
    bool dkim_authenticated = false;
    OptText authserv_dkim;
    OptText client_address, user_agent;      // https only
    std::optional<std::int64_t> received_at; // nullopt: now()
    std::string quirks;                      // text[] literal
    OptText raw;                             // for the jsonb column
    OptText raw_text;                        // only when raw cannot be jsonb
    std::string content;  // normalized report as JSON: policies, failure details, hash input
    std::size_t rows = 0; // reports + policies + failure details rows this report makes
};

ReportRow make_report_row(const Report& report, const StoreOptions& options);

// Valid UTF-8 (invalid bytes become U+FFFD) without NUL: what a PostgreSQL text value holds.
std::string pg_text(std::string_view s);
// pg_text, or nullopt for an empty string (absent RFC 8460 members are stored as NULL).
OptText opt_text(std::string_view s);
// An IPv4 or IPv6 address as inet_pton reads it (no prefix length, no zone).
bool is_ip_address(const std::string& s);
// False when PostgreSQL's jsonb would refuse this JSON text: invalid UTF-8, \u0000, or a
// lone UTF-16 surrogate escape.
bool jsonb_accepts(std::string_view json);
// A text[] literal: {"a","b"} with " and \ escaped.
std::string text_array_literal(const std::vector<std::string>& items);

} // namespace tlsrpt::store
