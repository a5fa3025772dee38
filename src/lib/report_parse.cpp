// report_parse.cpp: the JSON stage, RFC 8460 §4 with simdjson On-Demand.
//
// Walks the known structure (report -> policies[] -> policy/summary/failure-details[]) field by
// field, so unknown members are skipped without being materialised, duplicate member names are
// caught (I-JSON, RFC 7493 §2.3) and every refusal names its JSON path. Deviations real senders
// make are tolerated and recorded as quirks (quirks.hpp). One parser per thread, reused.
#include "tlsrpt/report_parse.hpp"

#include "json_support.hpp"
#include "report_finish.hpp"

#include "tlsrpt/datetime.hpp"
#include "tlsrpt/policy_string.hpp"
#include "tlsrpt/quirks.hpp"
#include "tlsrpt/text.hpp"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

namespace tlsrpt {

namespace od = simdjson::ondemand;

bool is_known_result_type(std::string_view v) {
    static constexpr std::array<std::string_view, 11> known = {
        "starttls-not-supported", "certificate-host-mismatch",
        "certificate-expired",    "certificate-not-trusted",
        "validation-failure",     "tlsa-invalid",
        "dnssec-invalid",         "dane-required",
        "sts-policy-fetch-error", "sts-policy-invalid",
        "sts-webpki-invalid"};
    for (auto k : known)
        if (k == v) return true;
    return false;
}

bool is_known_policy_type(std::string_view v) {
    return v == "sts" || v == "tlsa" || v == "no-policy-found";
}

namespace {

using namespace json;

// Session counts above this are no real counts (2^40 sessions a day is ~12 million a second),
// and sums of them must stay far from int64 overflow in the views.
constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;

class Walker {
  public:
    Walker(const Limits& limits, Budget& budget, Report& report, const MessageHeaders* headers)
        : limits_(limits), budget_(budget), r_(report), headers_(headers) {}

    MaybeError top(od::document& doc);

  private:
    MaybeError date_range(od::value v);
    MaybeError policies(od::value v);
    MaybeError policy_entry(od::value v, const Path& path, Policy& p);
    MaybeError policy_object(od::value v, const Path& path, Policy& p);
    MaybeError summary(od::value v, const Path& path, Policy& p);
    MaybeError failure_details(od::value v, const Path& path, Policy& p);
    MaybeError detail(od::value v, const Path& path, FailureDetail& d, bool& empty);
    MaybeError read_string(od::value v, const Path& path, std::string& out);
    MaybeError read_count(od::value v, const Path& path, std::int64_t& out);
    MaybeError read_string_list(od::value v, const Path& path, std::vector<std::string>& out,
                                bool& was_string);
    MaybeError read_datetime(od::value v, const Path& path, UnixTime& out);
    MaybeError expect_object(od::value v, const Path& path, od::object& obj);
    template <std::size_t N, typename Visit>
    MaybeError members(od::value v, const Path& path, const std::array<std::string_view, N>& known,
                       SeenMembers& seen, Visit&& visit);
    MaybeError duplicate(const Path& path, std::string_view key);

    MaybeError take_value(const Path& path);

    const Limits& limits_;
    Budget& budget_;
    Report& r_;
    const MessageHeaders* headers_;
};

// Every value materialised spends from the message's budget (limits.hpp).
MaybeError Walker::take_value(const Path& path) {
    if (spend(budget_.json_values, 1)) return std::nullopt;
    return make_error(ErrorKind::too_large, path.str() + ": more than max_json_values (" +
                                                std::to_string(limits_.max_json_values) +
                                                ") values in this message");
}

MaybeError Walker::duplicate(const Path& path, std::string_view key) {
    return invalid(path, "member \"" + std::string(key) + "\" appears twice (RFC 7493 §2.3)");
}

MaybeError Walker::expect_object(od::value v, const Path& path, od::object& obj) {
    od::json_type t;
    if (auto e = v.type().get(t)) return json_error(path, e);
    if (t != od::json_type::object)
        return invalid(path, path.str() == "$" ? "the report is not a JSON object"
                                               : "expected a JSON object");
    if (auto e = v.get_object().get(obj)) return json_error(path, e);
    return std::nullopt;
}

// Visits the members of an object. For a name in `known`, calls visit(index, value); a known
// name seen twice is refused (I-JSON, RFC 7493 §2.3). Unknown members are skipped, as I-JSON's
// must-ignore rule suggests (RFC 8460 says nothing of them).
template <std::size_t N, typename Visit>
MaybeError Walker::members(od::value v, const Path& path,
                           const std::array<std::string_view, N>& known, SeenMembers& seen,
                           Visit&& visit) {
    od::object obj;
    if (auto err = expect_object(v, path, obj)) return err;
    for (auto f : obj) {
        od::field field;
        std::string_view key;
        if (auto e = std::move(f).get(field)) return json_error(path, e);
        if (auto e = field.unescaped_key().get(key)) return json_error(path, e);
        unsigned i = 0;
        while (i < N && known[i] != key)
            ++i;
        if (i == N) continue;
        if (!seen.first_time(i)) return duplicate(path, key);
        if (auto err = visit(i, Path(&path, known[i]), field.value())) return err;
    }
    return std::nullopt;
}

MaybeError Walker::read_string(od::value v, const Path& path, std::string& out) {
    if (auto err = take_value(path)) return err;
    od::json_type t;
    if (auto e = v.type().get(t)) return json_error(path, e);
    std::string_view s;
    switch (t) {
    case od::json_type::null:
        out.clear();
        return std::nullopt;
    case od::json_type::string:
        if (auto e = v.get_string().get(s)) return json_error(path, e);
        break;
    case od::json_type::number:
    case od::json_type::boolean:
        s = trim(v.raw_json_token());
        r_.add_quirk(quirk::value_not_string);
        break;
    default:
        return invalid(path, "expected a string");
    }
    if (s.size() > limits_.max_string_length)
        return make_error(ErrorKind::too_large, path.str() + ": string of " +
                                                    std::to_string(s.size()) +
                                                    " bytes exceeds max_string_length " +
                                                    std::to_string(limits_.max_string_length));
    out.assign(s);
    return std::nullopt;
}

MaybeError Walker::read_count(od::value v, const Path& path, std::int64_t& out) {
    if (auto err = take_value(path)) return err;
    auto bounded = [&]() -> MaybeError {
        if (out <= kMaxCount) return std::nullopt;
        return invalid(path, "count " + std::to_string(out) + " is above 2^40 (not a real count)");
    };
    od::json_type t;
    if (auto e = v.type().get(t)) return json_error(path, e);
    if (t == od::json_type::string) {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return json_error(path, e);
        s = trim(s);
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec != std::errc() || end != s.data() + s.size() || out < 0)
            return invalid(path, "count \"" + std::string(s.substr(0, 40)) +
                                     "\" is not a non-negative integer");
        r_.add_quirk(quirk::count_as_string);
        return bounded();
    }
    if (t == od::json_type::null) {
        out = 0;
        r_.add_quirk(quirk::summary_count_missing);
        return std::nullopt;
    }
    if (t != od::json_type::number) return invalid(path, "expected a count (integer)");
    od::number_type nt;
    if (auto e = v.get_number_type().get(nt)) return json_error(path, e);
    if (nt == od::number_type::floating_point_number) {
        double d = 0;
        if (auto e = v.get_double().get(d)) return json_error(path, e);
        if (d < 0 || d > 9e15 || std::floor(d) != d)
            return invalid(path, "count " + std::string(trim(v.raw_json_token())) +
                                     " is not a non-negative integer");
        out = static_cast<std::int64_t>(d);
        return bounded();
    }
    if (v.get_int64().get(out)) return invalid(path, "count is out of range");
    if (out < 0) return invalid(path, "count " + std::to_string(out) + " is negative");
    return bounded();
}

MaybeError Walker::read_string_list(od::value v, const Path& path, std::vector<std::string>& out,
                                    bool& was_string) {
    od::json_type t;
    if (auto e = v.type().get(t)) return json_error(path, e);
    was_string = false;
    if (t == od::json_type::null) return std::nullopt;
    if (t == od::json_type::string) {
        was_string = true;
        out.emplace_back();
        return read_string(v, path, out.back());
    }
    if (t != od::json_type::array) return invalid(path, "expected an array of strings");
    od::array arr;
    if (auto e = v.get_array().get(arr)) return json_error(path, e);
    for (auto item : arr) {
        od::value el;
        const Path el_path(&path, out.size());
        if (auto e = std::move(item).get(el)) return json_error(el_path, e);
        if (out.size() >= limits_.max_policies)
            return make_error(ErrorKind::too_large, path.str() + ": more than max_policies (" +
                                                        std::to_string(limits_.max_policies) +
                                                        ") entries");
        out.emplace_back();
        if (auto err = read_string(el, el_path, out.back())) return err;
    }
    return std::nullopt;
}

MaybeError Walker::read_datetime(od::value v, const Path& path, UnixTime& out) {
    std::string text;
    if (auto err = read_string(v, path, text)) return err;
    if (text.empty()) return invalid(path, "date-time is missing");
    const auto parsed = parse_rfc3339(text);
    if (!parsed)
        return invalid(path, "\"" + text.substr(0, 64) + "\" is not an RFC 3339 date-time");
    if (!parsed->had_offset) r_.add_quirk(quirk::date_without_offset);
    out = parsed->time;
    return std::nullopt;
}

// RFC 8460 §4.4 "date-range": both members required.
MaybeError Walker::date_range(od::value v) {
    static constexpr std::array<std::string_view, 2> names = {"start-datetime", "end-datetime"};
    const Path range("date-range");
    SeenMembers seen;
    if (auto err = members(v, range, names, seen, [&](unsigned i, const Path& at, od::value m) {
            return read_datetime(m, at, i == 0 ? r_.start_datetime : r_.end_datetime);
        }))
        return err;
    if (!seen.has(0)) return invalid("date-range.start-datetime", "missing");
    if (!seen.has(1)) return invalid("date-range.end-datetime", "missing");
    if (r_.end_datetime < r_.start_datetime)
        return invalid(range, "end-datetime is before start-datetime");
    if (r_.end_datetime % 86400 == 0 && r_.end_datetime > r_.start_datetime)
        r_.add_quirk(quirk::end_at_next_midnight);
    return std::nullopt;
}

MaybeError Walker::detail(od::value v, const Path& path, FailureDetail& d, bool& empty) {
    // the last two are draft-ietf-uta-smtp-tlsrpt names for the RFC's
    static constexpr std::array<std::string_view, 10> names = {"result-type",
                                                               "sending-mta-ip",
                                                               "receiving-mx-hostname",
                                                               "receiving-mx-helo",
                                                               "receiving-ip",
                                                               "failed-session-count",
                                                               "additional-information",
                                                               "failure-reason-code",
                                                               "failure-error-code",
                                                               "additional-info-uri"};
    std::string* targets[] = {&d.result_type,
                              &d.sending_mta_ip,
                              &d.receiving_mx_hostname,
                              &d.receiving_mx_helo,
                              &d.receiving_ip,
                              nullptr,
                              &d.additional_information,
                              &d.failure_reason_code,
                              &d.failure_reason_code,
                              &d.additional_information};
    SeenMembers seen;
    if (auto err = members(v, path, names, seen, [&](unsigned i, const Path& at, od::value m) {
            if (i >= 8) r_.add_quirk(quirk::draft_member_names);
            return targets[i] ? read_string(m, at, *targets[i])
                              : read_count(m, at, d.failed_session_count);
        }))
        return err;
    empty = seen.none();
    if (empty) return std::nullopt;
    for (const std::string* ip : {&d.sending_mta_ip, &d.receiving_ip})
        if (has_control_character(*ip))
            return invalid(path, "an IP address member holds a control character");
    if (!is_known_result_type(d.result_type)) r_.add_quirk(quirk::unknown_result_type);
    if (d.sending_mta_ip.empty() && d.receiving_ip.empty() && d.receiving_mx_hostname.empty())
        r_.add_quirk(quirk::failure_details_minimal);
    return std::nullopt;
}

MaybeError Walker::failure_details(od::value v, const Path& path, Policy& p) {
    od::json_type t;
    if (auto e = v.type().get(t)) return json_error(path, e);
    if (t == od::json_type::null) return std::nullopt;
    if (t != od::json_type::array) return invalid(path, "expected an array");
    od::array arr;
    if (auto e = v.get_array().get(arr)) return json_error(path, e);
    for (auto item : arr) {
        const Path el_path(&path, p.failure_details.size());
        od::value el;
        if (auto e = std::move(item).get(el)) return json_error(el_path, e);
        if (!spend(budget_.failure_details, 1))
            return make_error(ErrorKind::too_large,
                              path.str() + ": more than max_failure_details (" +
                                  std::to_string(limits_.max_failure_details) +
                                  ") entries in this message");
        p.failure_details.emplace_back();
        bool empty = false;
        if (auto err = detail(el, el_path, p.failure_details.back(), empty)) return err;
        if (empty) { // {} says nothing: never a row
            p.failure_details.pop_back();
            r_.add_quirk(quirk::failure_details_empty);
        }
    }
    return std::nullopt;
}

MaybeError Walker::summary(od::value v, const Path& path, Policy& p) {
    static constexpr std::array<std::string_view, 2> names = {"total-successful-session-count",
                                                              "total-failure-session-count"};
    SeenMembers seen;
    if (auto err = members(v, path, names, seen, [&](unsigned i, const Path& at, od::value m) {
            return read_count(
                m, at, i == 0 ? p.total_successful_session_count : p.total_failure_session_count);
        }))
        return err;
    if (!seen.has(0) || !seen.has(1)) r_.add_quirk(quirk::summary_count_missing);
    return std::nullopt;
}

MaybeError Walker::policy_object(od::value v, const Path& path, Policy& p) {
    static constexpr std::array<std::string_view, 4> names = {"policy-type", "policy-string",
                                                              "policy-domain", "mx-host"};
    SeenMembers seen;
    if (auto err = members(v, path, names, seen, [&](unsigned i, const Path& at, od::value m) {
            bool was_string = false;
            MaybeError e;
            if (i == 0 || i == 2)
                return read_string(m, at, i == 0 ? p.policy_type : p.policy_domain);
            e = read_string_list(m, at, i == 1 ? p.policy_string : p.mx_host, was_string);
            if (was_string)
                r_.add_quirk(i == 1 ? quirk::policy_string_string : quirk::mx_host_string);
            return e;
        }))
        return err;
    if (p.policy_type.empty()) return invalid(Path(&path, "policy-type"), "missing");
    return std::nullopt;
}

MaybeError Walker::policy_entry(od::value v, const Path& path, Policy& p) {
    static constexpr std::array<std::string_view, 3> names = {"policy", "summary",
                                                              "failure-details"};
    SeenMembers seen;
    if (auto err = members(v, path, names, seen, [&](unsigned i, const Path& at, od::value m) {
            return i == 0   ? policy_object(m, at, p)
                   : i == 1 ? summary(m, at, p)
                            : failure_details(m, at, p);
        }))
        return err;
    if (!seen.has(0)) return invalid(Path(&path, "policy"), "missing");
    if (!seen.has(1)) r_.add_quirk(quirk::summary_count_missing);
    finish_policy(p, r_, headers_, limits_.max_policies);
    return std::nullopt;
}

MaybeError Walker::policies(od::value v) {
    od::json_type t;
    const Path policies_root("policies");
    if (auto e = v.type().get(t)) return json_error(policies_root, e);
    if (t != od::json_type::array) return invalid("policies", "is not an array (RFC 8460 §4)");
    od::array arr;
    if (auto e = v.get_array().get(arr)) return json_error(policies_root, e);
    for (auto item : arr) {
        const Path path(&policies_root, r_.policies.size());
        od::value el;
        if (auto e = std::move(item).get(el)) return json_error(path, e);
        if (r_.policies.size() >= limits_.max_policies)
            return make_error(ErrorKind::too_large, "policies: more than max_policies (" +
                                                        std::to_string(limits_.max_policies) +
                                                        ") entries");
        r_.policies.emplace_back();
        if (auto err = policy_entry(el, path, r_.policies.back())) return err;
    }
    return std::nullopt;
}

MaybeError Walker::top(od::document& doc) {
    static constexpr std::array<std::string_view, 5> names = {
        "organization-name", "date-range", "contact-info", "report-id", "policies"};
    const Path root("");
    od::value v;
    if (auto e = doc.get_value().get(v)) return json_error(root, e);
    SeenMembers seen;
    if (auto err = members(v, root, names, seen, [&](unsigned i, const Path& at, od::value m) {
            switch (i) {
            case 0:
                return read_string(m, at, r_.organization_name);
            case 1:
                return date_range(m);
            case 2:
                return read_string(m, at, r_.contact_info);
            case 3:
                return read_string(m, at, r_.report_id);
            default:
                return policies(m);
            }
        }))
        return err;
    if (!seen.has(1)) return invalid("date-range", "missing (RFC 8460 §4.4)");
    if (!seen.has(4)) return invalid("policies", "missing (RFC 8460 §4.4)");
    return std::nullopt;
}

// Storage keys and index entries must stay short (a longer one fails in PostgreSQL on every
// retry): report-id, the reporter and policy domains are refused above this.
constexpr std::size_t kMaxKeyLength = 1024;

std::optional<Error> key_too_long(const Report& r) {
    auto check = [](const std::string& v, const char* what) -> std::optional<Error> {
        if (v.size() <= kMaxKeyLength) return std::nullopt;
        return make_error(ErrorKind::invalid, std::string(what) + " of " +
                                                  std::to_string(v.size()) + " bytes (at most " +
                                                  std::to_string(kMaxKeyLength) + ")");
    };
    if (auto e = check(r.report_id, "report-id")) return e;
    if (auto e = check(r.reporter(), "contact-info/organization-name")) return e;
    for (std::size_t i = 0; i < r.policies.size(); ++i)
        if (auto e = check(r.policies[i].policy_domain, "policy-domain")) return e;
    return std::nullopt;
}

// A parser that read a large document gives its memory back: the milter's threads live long.
void shrink(od::parser& parser) {
    constexpr std::size_t keep = 1u << 20;
    if (parser.capacity() <= keep) return;
    const simdjson::error_code ignored = parser.allocate(keep); // on failure: keeps the old
    (void)ignored;
}

} // namespace

Result<Report> parse_report_json(std::string json, const Limits& limits,
                                 const MessageHeaders* headers, Budget* budget) {
    Budget own(limits);
    Budget& b = budget ? *budget : own;
    if (!budget && !spend(b.decompressed, json.size()))
        return make_error(ErrorKind::too_large, "report of " + std::to_string(json.size()) +
                                                    " bytes exceeds max_decompressed_size " +
                                                    std::to_string(limits.max_decompressed_size));
    const Shape shape = json_shape(json);
    if (shape.trailing)
        return make_error(ErrorKind::malformed, "trailing content after the report's JSON object");
    if (shape.max_depth > limits.max_json_depth)
        return make_error(ErrorKind::too_large, "JSON nesting deeper than max_json_depth (" +
                                                    std::to_string(limits.max_json_depth) + ")");
    thread_local od::parser parser;
    Report report;
    if (headers) report.headers = *headers;
    const std::size_t len = json.size();
    json.resize(len + simdjson::SIMDJSON_PADDING, ' ');
    od::document doc;
    if (auto e = parser.iterate(json.data(), len, json.size()).get(doc)) {
        shrink(parser);
        return json_error("$", e);
    }
    Walker walker(limits, b, report, headers);
    auto err = walker.top(doc);
    shrink(parser);
    if (err) return *err;
    json.resize(len);
    if (report.organization_name.empty()) report.add_quirk(quirk::organization_name_missing);
    if (report.contact_info.empty()) report.add_quirk(quirk::contact_info_missing);
    if (report.report_id.empty()) {
        report.add_quirk(quirk::report_id_missing);
        report.report_id = "sha:" + content_hash(json);
    }
    if (auto e = key_too_long(report)) return *e;
    if (headers) check_report_headers(report, *headers);
    report.raw_json = std::move(json);
    return report;
}

} // namespace tlsrpt
