// ingest.cpp: read -> DKIM check -> store -> quarantine for one message (see ingest.hpp).
#include "ingest.hpp"

#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/text.hpp"

#include <algorithm>
#include <cctype>
#include <new>
#include <set>

namespace milter {

namespace {

namespace st = tlsrpt::store;

std::string trim_domain(std::string d) {
    while (!d.empty() && (d.back() == '>' || d.back() == ' ' || d.back() == '.'))
        d.pop_back();
    while (!d.empty() && (d.front() == '<' || d.front() == ' '))
        d.erase(0, 1);
    return tlsrpt::to_lower(d);
}

void describe(IngestResult& out, const std::vector<tlsrpt::Report>& reports) {
    std::set<std::string> domains;
    for (const tlsrpt::Report& r : reports)
        for (const tlsrpt::Policy& p : r.policies)
            if (!p.policy_domain.empty()) domains.insert(tlsrpt::to_lower(p.policy_domain));
    out.domains.assign(domains.begin(), domains.end());
    out.reports = reports.size();
    if (!reports.empty()) out.reporter = reports.front().reporter();
}

// RequireDKIM: the first report failing the rule makes the message unusable (or temporary).
void check_dkim(IngestResult& out, const std::vector<tlsrpt::Report>& reports,
                const std::vector<tlsrpt::DkimVerdict>& verdicts) {
    for (const tlsrpt::Report& r : reports) {
        bool temporary = false;
        const std::string problem = dkim_problem(r, verdicts, temporary);
        if (problem.empty()) continue;
        (temporary ? out.facts.temporary : out.facts.unusable) = problem;
        return;
    }
}

// Stores every report; stops at the first that cannot be stored.
void store_all(IngestResult& out, const std::vector<tlsrpt::Report>& reports,
               const std::vector<tlsrpt::DkimVerdict>& verdicts, st::Store& store) {
    for (const tlsrpt::Report& r : reports) {
        const tlsrpt::DkimVerdict v = tlsrpt::choose_dkim_verdict(verdicts, reporter_domain(r));
        const st::StoreOptions options{st::Source::smtp, {v.result, v.domain}};
        const st::Outcome o = store.store_report(r, options);
        switch (o.status) {
        case st::Status::stored:
            ++out.facts.stored;
            break;
        case st::Status::duplicate:
            ++out.facts.duplicate;
            break;
        case st::Status::conflict:
            ++out.facts.duplicate;
            out.facts.conflict = "conflict: " + o.message;
            break;
        case st::Status::temporary:
            out.facts.temporary = "store: " + o.message;
            return;
        case st::Status::permanent:
            out.facts.unusable = "store refused the report: " + o.message;
            return;
        }
    }
}

void quarantine(IngestResult& out, const MessageContext& message, st::Store& store) {
    const st::Outcome q =
        store.quarantine(message.raw(), *out.facts.unusable, message.headers(), st::Source::smtp);
    out.facts.quarantine = q.status;
    out.facts.quarantine_message = q.message;
}

// Runs `work` with a pooled Store; pool exhaustion and exceptions become temporary failures.
template <typename Work> void with_store(IngestResult& out, DbPool& pool, Work&& work) {
    try {
        auto lease = pool.acquire();
        if (!lease) {
            out.facts.temporary = "no database connection free within DatabaseTimeout";
            return;
        }
        work(**lease);
    } catch (const std::bad_alloc&) {
        out.facts.temporary = "out of memory";
    } catch (const std::exception& e) {
        out.facts.temporary = std::string("database: ") + e.what();
    }
}

} // namespace

// The domain DKIM must align with is the report's storage key (Report::reporter(): the
// contact-info domain, else organization-name), so that no signature of one domain can claim
// the key of another. A report without contact-info therefore passes RequireDKIM only when its
// organization-name is the signing domain.
std::string reporter_domain(const tlsrpt::Report& report) {
    return trim_domain(report.reporter());
}

std::string dkim_problem(const tlsrpt::Report& report,
                         const std::vector<tlsrpt::DkimVerdict>& verdicts, bool& temporary) {
    const std::string domain = reporter_domain(report);
    temporary = false;
    bool aligned_temperror = false;
    for (const tlsrpt::DkimVerdict& v : verdicts) {
        if (!tlsrpt::dkim_domain_aligned(v.domain, domain)) continue;
        if (v.result == "pass") return {};
        if (v.result == "temperror") aligned_temperror = true;
    }
    if (domain.empty()) return "no reporter domain to check DKIM against";
    if (aligned_temperror) {
        temporary = true;
        return "DKIM verification of " + domain + " failed temporarily (temperror)";
    }
    return "no passing DKIM signature by " + domain + " (RFC 8460 section 3)";
}

IngestResult ingest(const MessageContext& message, const Config& config, DbPool& pool,
                    const std::vector<std::string>& trusted_authserv_ids) {
    IngestResult out;
    out.facts.on_invalid = config.on_invalid;
    out.facts.other_recipients = message.has_other_recipient();
    auto read = tlsrpt::read_reports(message.raw(), config.limits);
    if (!read) {
        out.facts.unusable = read.error().describe();
    } else {
        describe(out, *read);
        const auto verdicts = tlsrpt::trusted_dkim_verdicts(
            message.headers().authentication_results, trusted_authserv_ids);
        if (config.require_dkim) check_dkim(out, *read, verdicts);
        if (!out.facts.unusable && !out.facts.temporary)
            with_store(out, pool, [&](st::Store& s) { store_all(out, *read, verdicts, s); });
    }
    if (wants_quarantine(out.facts))
        with_store(out, pool, [&](st::Store& s) { quarantine(out, message, s); });
    return out;
}

} // namespace milter
