// report_parse.cpp: the JSON stage, RFC 8460 §4 with simdjson On-Demand.
//
// Walks the known structure (report -> policies[] -> policy/summary/failure-details[]) field by
// field, so unknown members are skipped without being materialised, duplicate member names are
// caught (I-JSON, RFC 7493 §2.3) and every refusal names its JSON path. Deviations real senders
// make are tolerated and recorded as quirks (quirks.hpp). One parser per thread, reused.
#include "tlsrpt/report_parse.hpp"

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

using MaybeError = std::optional<Error>;

// A JSON path built lazily: the walk links one per level on the stack, and the text
// ("policies[2].failure-details[0].failed-session-count") is made only for an error.
class Path {
  public:
    Path(const char* root) : name_(root) {}
    Path(const Path* parent, std::string_view member) : parent_(parent), name_(member) {}
    Path(const Path* parent, std::size_t index) : parent_(parent), index_(index), is_index_(true) {}

    // "$" for the document itself, else the member path from it
    std::string str() const {
        const std::string out = parent_ ? parent_->prefix() : std::string();
        if (is_index_) return out + "[" + std::to_string(index_) + "]";
        if (!parent_ && name_.empty()) return "$";
        return out.empty() ? std::string(name_) : out + "." + std::string(name_);
    }

  private:
    std::string prefix() const { return !parent_ && name_.empty() ? std::string() : str(); }

  public:
  private:
    const Path* parent_ = nullptr;
    std::string_view name_;
    std::size_t index_ = 0;
    bool is_index_ = false;
};

Error invalid(const Path& path, const std::string& what) {
    return make_error(ErrorKind::invalid, path.str() + ": " + what);
}

Error json_error(const Path& path, simdjson::error_code e) {
    return make_error(ErrorKind::malformed,
                      "not valid JSON at " + path.str() + ": " + simdjson::error_message(e));
}

struct Shape {
    std::size_t max_depth = 0;
    bool trailing = false; // non-blank bytes after the top-level value closed
};

// Nesting depth and trailing content, counted outside strings. Runs before simdjson: On-Demand
// skips unknown members without a depth bound of its own and does not look past the value.
// Index of the quote closing the string that opens before `from`: a quote preceded by an even
// number of backslashes. npos when the string never closes.
std::size_t string_end(std::string_view s, std::size_t from) {
    for (std::size_t q = s.find('"', from); q != std::string_view::npos; q = s.find('"', q + 1)) {
        std::size_t backslashes = 0;
        while (q - backslashes > from && s[q - backslashes - 1] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0) return q;
    }
    return std::string_view::npos;
}

Shape json_shape(std::string_view s) {
    Shape shape;
    std::size_t depth = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '"') {
            i = string_end(s, i + 1);
            if (i == std::string_view::npos) break; // unterminated: simdjson names the error
        } else if (c == '{' || c == '[') {
            shape.max_depth = std::max(shape.max_depth, ++depth);
        } else if ((c == '}' || c == ']') && depth > 0 && --depth == 0) {
            const auto rest = s.find_first_not_of(" \t\r\n", i + 1);
            shape.trailing = rest != std::string_view::npos;
            break;
        }
    }
    return shape;
}

// FNV-1a, for a stable stand-in report-id when a sender leaves it out (digest §5).
std::string content_hash(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s)
        h = (h ^ c) * 1099511628211ull;
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

// Remembers which members of one object were seen, to refuse duplicate names.
class SeenMembers {
  public:
    bool first_time(unsigned bit) {
        const bool seen = bits_ & (1u << bit);
        bits_ |= 1u << bit;
        return !seen;
    }
    bool has(unsigned bit) const { return bits_ & (1u << bit); }

  private:
    unsigned bits_ = 0;
};

class Walker {
  public:
    Walker(const Limits& limits, Report& report, const MessageHeaders* headers)
        : limits_(limits), r_(report), headers_(headers) {}

    MaybeError top(od::document& doc);

  private:
    MaybeError date_range(od::value v);
    MaybeError policies(od::value v);
    MaybeError policy_entry(od::value v, const Path& path, Policy& p);
    MaybeError policy_object(od::value v, const Path& path, Policy& p);
    MaybeError summary(od::value v, const Path& path, Policy& p);
    MaybeError failure_details(od::value v, const Path& path, Policy& p);
    MaybeError detail(od::value v, const Path& path, FailureDetail& d);
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
    void finish_policy(Policy& p);
    void parse_policy_string(Policy& p);
    void expand_tlsa_json(Policy& p);

    const Limits& limits_;
    Report& r_;
    const MessageHeaders* headers_;
};

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
        return std::nullopt;
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
        return std::nullopt;
    }
    if (v.get_int64().get(out)) return invalid(path, "count is out of range");
    if (out < 0) return invalid(path, "count " + std::to_string(out) + " is negative");
    return std::nullopt;
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

MaybeError Walker::detail(od::value v, const Path& path, FailureDetail& d) {
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
        if (p.failure_details.size() >= limits_.max_failure_details)
            return make_error(ErrorKind::too_large,
                              path.str() + ": more than max_failure_details (" +
                                  std::to_string(limits_.max_failure_details) + ") entries");
        p.failure_details.emplace_back();
        if (auto err = detail(el, el_path, p.failure_details.back())) return err;
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
    finish_policy(p);
    return std::nullopt;
}

// Microsoft sends ["[\"3 1 1 AB..\",\"3 1 1 CD..\"]"]: one string holding a JSON array.
void Walker::expand_tlsa_json(Policy& p) {
    if (p.policy_string.size() != 1 || trim(p.policy_string[0]).substr(0, 1) != "[") return;
    thread_local od::parser inner;
    simdjson::padded_string text(p.policy_string[0]);
    od::document doc;
    od::array arr;
    if (inner.iterate(text).get(doc) || doc.get_array().get(arr)) return;
    std::vector<std::string> records;
    for (auto item : arr) {
        std::string_view s;
        if (item.get_string().get(s) || records.size() >= limits_.max_policies) return;
        records.emplace_back(s);
    }
    p.policy_string = std::move(records);
    r_.add_quirk(quirk::tlsa_policy_string_json);
}

// Splits a bare policy-string (RFC 8460 §4 overview) on `sep`: line breaks for sts, ';' for
// tlsa, as the digest recommends.
std::vector<std::string> split_entries(std::string_view all, char sep, std::size_t max) {
    std::vector<std::string> out;
    while (!all.empty() && out.size() < max) {
        const auto at = all.find(sep);
        const auto entry = trim(all.substr(0, at));
        if (!entry.empty()) out.emplace_back(entry);
        all = at == std::string_view::npos ? std::string_view{} : all.substr(at + 1);
    }
    return out;
}

// The parsed form of policy-string (RFC 8460 §4.5): MTA-STS fields or TLSA records.
void Walker::parse_policy_string(Policy& p) {
    const char sep = p.policy_type == "sts" ? '\n' : ';';
    if (p.policy_string.size() == 1 && p.policy_string[0].find(sep) != std::string::npos)
        p.policy_string = split_entries(p.policy_string[0], sep, limits_.max_policies);
    if (p.policy_type == "sts") {
        p.sts = parse_sts_policy(p.policy_string);
        if (!p.sts) r_.add_quirk(quirk::sts_policy_unparsed);
        return;
    }
    for (const std::string& s : p.policy_string) {
        if (auto rec = parse_tlsa_record(s))
            p.tlsa.push_back(std::move(*rec));
        else
            r_.add_quirk(quirk::tlsa_record_unparsed);
    }
}

// Quirks that need the whole policy entry, and the policy-domain fallback.
void Walker::finish_policy(Policy& p) {
    if (!is_known_policy_type(p.policy_type)) r_.add_quirk(quirk::unknown_policy_type);
    if (p.policy_domain.empty()) {
        r_.add_quirk(quirk::policy_domain_missing);
        if (headers_) p.policy_domain = headers_->tls_report_domain;
    }
    const bool sts = p.policy_type == "sts", tlsa = p.policy_type == "tlsa";
    if ((sts || tlsa) && p.policy_string.empty()) r_.add_quirk(quirk::policy_string_missing);
    if (sts && p.mx_host.empty()) r_.add_quirk(quirk::mx_host_missing);
    for (std::string& mx : p.mx_host) {
        const std::string_view stripped = strip_mx_prefix(mx);
        if (stripped.size() == mx.size()) continue;
        r_.add_quirk(quirk::mx_host_prefixed);
        mx = std::string(stripped);
    }
    if (p.total_failure_session_count > 0 && p.failure_details.empty())
        r_.add_quirk(quirk::failure_details_missing);
    if (tlsa) expand_tlsa_json(p);
    if ((sts || tlsa) && !p.policy_string.empty()) parse_policy_string(p);
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

// RFC 8460 §5.3 checks on the carrying message's header fields; logged, never refused.
void check_report_headers(Report& r, const MessageHeaders& h) {
    if (h.tls_report_domain.empty() || h.tls_report_submitter.empty())
        r.add_quirk(quirk::report_headers_missing);
    const auto at = r.contact_info.rfind('@');
    if (at == std::string::npos || h.tls_report_submitter.empty()) return;
    std::string submitter = h.tls_report_submitter;
    for (char& c : submitter)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (submitter != r.reporter()) r.add_quirk(quirk::submitter_mismatch);
}

} // namespace

Result<Report> parse_report_json(std::string json, const Limits& limits,
                                 const MessageHeaders* headers) {
    if (json.size() > limits.max_decompressed_size)
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
    if (auto e = parser.iterate(json.data(), len, json.size()).get(doc)) return json_error("$", e);
    Walker walker(limits, report, headers);
    if (auto err = walker.top(doc)) return *err;
    json.resize(len);
    if (report.organization_name.empty()) report.add_quirk(quirk::organization_name_missing);
    if (report.contact_info.empty()) report.add_quirk(quirk::contact_info_missing);
    if (report.report_id.empty()) {
        report.add_quirk(quirk::report_id_missing);
        report.report_id = "sha:" + content_hash(json);
    }
    if (headers) check_report_headers(report, *headers);
    report.raw_json = std::move(json);
    return report;
}

} // namespace tlsrpt
