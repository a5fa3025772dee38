// ingest.cpp: read -> DKIM -> store -> quarantine for one message (see ingest.hpp).
#include "ingest.hpp"

#include "metrics.hpp"

#include "tlsrpt/auth_results.hpp"
#include "tlsrpt/dkim_verify.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/text.hpp"

#include <pqxx/except>

#include <new>
#include <set>

namespace milter {

namespace {

namespace st = tlsrpt::store;

void describe(IngestResult& out, const std::vector<tlsrpt::Report>& reports) {
    std::set<std::string> domains;
    for (const tlsrpt::Report& r : reports)
        for (const tlsrpt::Policy& p : r.policies)
            if (!p.policy_domain.empty()) domains.insert(tlsrpt::to_lower(p.policy_domain));
    out.domains.assign(domains.begin(), domains.end());
    out.reports = reports.size();
    if (!reports.empty()) out.reporter = reports.front().reporter();
}

// RequireDKIM: the first report that is not authenticated makes the message unusable, or
// temporary when only a key lookup stood in the way (RFC 6376 §6.1.2).
void require_dkim(IngestResult& out, const std::vector<tlsrpt::DkimAssessment>& verdicts) {
    for (const tlsrpt::DkimAssessment& a : verdicts) {
        if (a.authenticated) continue;
        if (a.temporary) {
            out.facts.temporary = a.reason;
            out.facts.temp_cause = TempCause::dns;
        } else {
            out.facts.unusable = a.reason;
        }
        return;
    }
}

// "dkim=pass d=example.com (authserv:mx.example.com)": a trusted verifier's verdict recorded
// beside the milter's own.
std::string authserv_summary(const std::vector<tlsrpt::SignatureCheck>& checks,
                             const std::string& reporter) {
    if (checks.empty()) return {};
    const tlsrpt::DkimAssessment a = tlsrpt::assess_dkim(checks, reporter);
    return "dkim=" + a.result + " d=" + a.domain + " (" + a.source + ")";
}

st::DkimInfo dkim_info(const tlsrpt::DkimAssessment& a, std::string authserv) {
    return {a.result, a.domain, a.selector,      a.algorithm,
            a.source, a.dnssec, a.authenticated, std::move(authserv)};
}

// Stores every report; stops at the first that cannot be stored.
void store_all(IngestResult& out, const std::vector<tlsrpt::Report>& reports,
               const std::vector<tlsrpt::DkimAssessment>& verdicts,
               const std::vector<tlsrpt::SignatureCheck>& authserv, st::Store& store,
               const std::vector<std::string>& metrics_domains) {
    for (std::size_t i = 0; i < reports.size(); ++i) {
        const std::string authserv_text =
            authserv_summary(authserv, tlsrpt::dkim_alignment_domain(reports[i]));
        const st::StoreOptions options{.source = st::Source::smtp,
                                       .dkim = dkim_info(verdicts[i], authserv_text)};
        const st::Outcome o = store.store_report(reports[i], options);
        if (o.ok()) metrics::report(st::to_string(o.status));
        if (o.status == st::Status::stored || o.status == st::Status::replaced)
            metrics::sessions(reports[i], metrics_domains);
        switch (o.status) {
        case st::Status::stored:
        case st::Status::replaced:
            ++out.facts.stored;
            if (o.status == st::Status::replaced) out.facts.conflict = "replaced: " + o.message;
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
            out.facts.temp_cause = TempCause::database;
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
            out.facts.temp_cause = TempCause::pool;
            return;
        }
        work(**lease);
    } catch (const std::bad_alloc&) {
        out.facts.temporary = "out of memory";
        out.facts.temp_cause = TempCause::memory;
    } catch (const pqxx::failure& e) {
        out.facts.temporary = std::string("database: ") + e.what();
        out.facts.temp_cause = TempCause::database;
    } catch (const std::exception& e) {
        out.facts.temporary = std::string("internal error: ") + e.what();
        out.facts.temp_cause = TempCause::internal;
    }
}

// A message that keeps failing temporarily while the database answers (a statement that
// always times out, a key lookup that always fails) is not left to retry until the sender's
// queue expires: after RetryLimit attempts or RetryMaxAge it is handled as unusable (kept in
// quarantine, with why).
void bound_retries(IngestResult& out, const MessageContext& message, const Config& config,
                   st::Store& store) {
    if (out.facts.temp_cause == TempCause::pool || out.facts.temp_cause == TempCause::memory)
        return;
    const auto attempts = store.record_failed_attempt(message.raw(), *out.facts.temporary);
    if (!attempts) return; // the database cannot even count: a plain 451
    const bool too_many = attempts->count >= static_cast<int>(config.retry_limit);
    const bool too_old = attempts->age >= config.retry_max_age;
    if (!too_many && !too_old) return;
    out.facts.unusable = "gave up after " + std::to_string(attempts->count) +
                         " temporary failures in " + std::to_string(attempts->age.count()) +
                         " s: " + *out.facts.temporary;
    out.facts.temporary.reset();
}

// Reads the reports, applies the DKIM rule and stores them (or quarantines the message).
void read_and_store(IngestResult& out, const MessageContext& message, const Runtime& rt,
                    const std::vector<tlsrpt::SignatureCheck>& checks, st::Store& store) {
    const Config& config = *rt.config;
    auto read = tlsrpt::read_reports(message.raw(), config.limits);
    if (!read) {
        out.facts.unusable = read.error().describe();
    } else {
        describe(out, *read);
        const auto verdicts = tlsrpt::assess_reports(checks, *read);
        if (!verdicts.empty()) out.dkim = verdicts.front();
        for (const tlsrpt::DkimAssessment& v : verdicts)
            metrics::dkim(v.result);
        // with our own verdict deciding, a trusted verifier's is recorded beside it
        std::vector<tlsrpt::SignatureCheck> authserv;
        if (rt.dkim)
            authserv = tlsrpt::trusted_dkim_checks(message.headers().authentication_results,
                                                   rt.trusted_authserv_ids);
        if (config.require_dkim) require_dkim(out, verdicts);
        if (!out.facts.unusable && !out.facts.temporary) {
            const auto t0 = std::chrono::steady_clock::now();
            store_all(out, *read, verdicts, authserv, store, rt.metrics_domains);
            metrics::store_seconds(std::chrono::steady_clock::now() - t0);
        }
    }
    if (out.facts.temporary) bound_retries(out, message, config, store);
    if (wants_quarantine(out.facts)) quarantine(out, message, store);
}

} // namespace

std::vector<tlsrpt::SignatureCheck> deciding_checks(const MessageContext& message,
                                                    const Runtime& rt) {
    if (!rt.dkim)
        return tlsrpt::trusted_dkim_checks(message.headers().authentication_results,
                                           rt.trusted_authserv_ids);
    return tlsrpt::check_signatures(rt.dkim->verify(message.raw()));
}

IngestResult ingest(const MessageContext& message, const Runtime& rt) {
    IngestResult out;
    out.facts.on_invalid = rt.config->on_invalid;
    out.facts.other_recipients = message.has_other_recipient();
    // DKIM first: it needs only the message and waits on DNS without holding a slot. Then
    // reading and storing hold one of the DatabasePoolSize slots, so that at most that many
    // messages are read at once and concurrency never multiplies the per-message budget.
    const auto checks = deciding_checks(message, rt);
    with_store(out, *rt.pool, [&](st::Store& s) { read_and_store(out, message, rt, checks, s); });
    return out;
}

} // namespace milter
