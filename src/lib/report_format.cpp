// report_format.cpp: normalized JSON Lines output of a Report (see report_format.hpp).
#include "tlsrpt/report_format.hpp"

#include "tlsrpt/datetime.hpp"
#include "tlsrpt/json_writer.hpp"

namespace tlsrpt {

namespace {

void optional_string(JsonWriter& w, std::string_view key, const std::string& value) {
    if (!value.empty()) w.key(key).value(value);
}

void write_detail(JsonWriter& w, const FailureDetail& d) {
    w.begin_object();
    w.key("result-type").value(d.result_type);
    optional_string(w, "sending-mta-ip", d.sending_mta_ip);
    optional_string(w, "receiving-mx-hostname", d.receiving_mx_hostname);
    optional_string(w, "receiving-mx-helo", d.receiving_mx_helo);
    optional_string(w, "receiving-ip", d.receiving_ip);
    w.key("failed-session-count").value(d.failed_session_count);
    optional_string(w, "additional-information", d.additional_information);
    optional_string(w, "failure-reason-code", d.failure_reason_code);
    w.end_object();
}

void write_parsed_policy(JsonWriter& w, const Policy& p) {
    if (p.sts) {
        w.key("sts").begin_object();
        w.key("version").value(p.sts->version);
        w.key("mode").value(p.sts->mode);
        w.key("max_age");
        if (p.sts->max_age)
            w.value(*p.sts->max_age);
        else
            w.null();
        w.key("mx").strings(p.sts->mx);
        w.end_object();
    }
    if (!p.tlsa.empty()) {
        w.key("tlsa").begin_array();
        for (const TlsaRecord& t : p.tlsa) {
            w.begin_object();
            w.key("usage").value(std::int64_t{t.usage});
            w.key("selector").value(std::int64_t{t.selector});
            w.key("matching-type").value(std::int64_t{t.matching_type});
            w.key("data").value(t.data);
            w.end_object();
        }
        w.end_array();
    }
}

void write_policy(JsonWriter& w, const Policy& p) {
    w.begin_object();
    w.key("policy").begin_object();
    w.key("policy-type").value(p.policy_type);
    w.key("policy-string").strings(p.policy_string);
    w.key("policy-domain").value(p.policy_domain);
    w.key("mx-host").strings(p.mx_host);
    write_parsed_policy(w, p);
    w.end_object();
    w.key("summary").begin_object();
    w.key("total-successful-session-count").value(p.total_successful_session_count);
    w.key("total-failure-session-count").value(p.total_failure_session_count);
    w.end_object();
    w.key("failure-details").begin_array();
    for (const FailureDetail& d : p.failure_details)
        write_detail(w, d);
    w.end_array();
    w.end_object();
}

void write_headers(JsonWriter& w, const MessageHeaders& h) {
    w.key("headers").begin_object();
    optional_string(w, "from", h.from);
    optional_string(w, "subject", h.subject);
    optional_string(w, "message-id", h.message_id);
    optional_string(w, "date", h.date);
    optional_string(w, "tls-report-domain", h.tls_report_domain);
    optional_string(w, "tls-report-submitter", h.tls_report_submitter);
    if (!h.authentication_results.empty())
        w.key("authentication-results").strings(h.authentication_results);
    w.end_object();
}

} // namespace

std::string format_report_json(const Report& r, const std::string& source) {
    JsonWriter w;
    w.begin_object();
    w.key("organization-name").value(r.organization_name);
    w.key("date-range").begin_object();
    w.key("start-datetime").value(format_rfc3339(r.start_datetime));
    w.key("end-datetime").value(format_rfc3339(r.end_datetime));
    w.end_object();
    w.key("contact-info");
    if (r.contact_info.empty())
        w.null();
    else
        w.value(r.contact_info);
    w.key("report-id").value(r.report_id);
    w.key("policies").begin_array();
    for (const Policy& p : r.policies)
        write_policy(w, p);
    w.end_array();
    w.key("quirks").strings(r.quirks);
    if (!r.headers.empty()) write_headers(w, r.headers);
    optional_string(w, "part", r.part_name);
    optional_string(w, "source", source);
    w.end_object();
    return w.str();
}

} // namespace tlsrpt
