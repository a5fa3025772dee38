// ingest.hpp: the end-of-message work for a message to a report address, in pipeline order:
// read the reports (tlsrpt::read_reports), check DKIM (RFC 8460 §3, from trusted
// Authentication-Results), store each report, quarantine what is unusable. It gathers Facts;
// outcome.hpp decides the answer. Expected failures are values; only bugs throw.
#pragma once

#include "config.hpp"
#include "db_pool.hpp"
#include "message_context.hpp"
#include "outcome.hpp"

#include "tlsrpt/auth_results.hpp"
#include "tlsrpt/report.hpp"

#include <string>
#include <vector>

namespace milter {

struct IngestResult {
    Facts facts;
    std::size_t reports = 0;
    std::vector<std::string> domains; // policy domains, sorted, unique
    std::string reporter;             // of the first report
};

// Reads, checks and stores `message`; calls Store::quarantine when decide() will want it.
IngestResult ingest(const MessageContext& message, const Config& config, DbPool& pool,
                    const std::vector<std::string>& trusted_authserv_ids);

// The domain a report's DKIM signature must belong to: the contact-info domain, else the
// TLS-Report-Submitter header (RFC 8460 §5.3 says they match), lower case.
std::string reporter_domain(const tlsrpt::Report& report);

// Why `report` fails the RequireDKIM rule, or "" when an aligned signature passed. `temporary`
// is set when the only aligned results were temperror (the verifier could not finish).
std::string dkim_problem(const tlsrpt::Report& report,
                         const std::vector<tlsrpt::DkimVerdict>& verdicts, bool& temporary);

} // namespace milter
