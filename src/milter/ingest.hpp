// ingest.hpp: the end-of-message work for a message to a report address, in pipeline order:
// read the reports (tlsrpt::read_reports), verify DKIM (dkim_verify.hpp, or the trusted
// Authentication-Results with DKIMVerify no) and apply the RFC 8460 §3 rule (dkim_rule.hpp),
// store each report, quarantine what is unusable. It gathers Facts; outcome.hpp decides the
// answer. Expected failures are values; only bugs throw.
#pragma once

#include "message_context.hpp"
#include "outcome.hpp"
#include "runtime.hpp"

#include "tlsrpt/dkim_rule.hpp"
#include "tlsrpt/report.hpp"

#include <string>
#include <vector>

namespace milter {

struct IngestResult {
    Facts facts;
    std::size_t reports = 0;
    std::vector<std::string> domains; // policy domains, sorted, unique
    std::string reporter;             // of the first report
    tlsrpt::DkimAssessment dkim;      // of the first report (result "" when nothing was read)
};

// Verifies, reads, checks and stores `message` with the runtime's configuration, pool and
// verifier; calls Store::quarantine when decide() will want it. Reading and storing wait for
// a pool slot (DatabaseTimeout): at most DatabasePoolSize messages are read at once.
IngestResult ingest(const MessageContext& message, const Runtime& runtime);

// The DKIM checks that decide for `message`: the milter's own (DKIMVerify yes) or those of
// the trusted Authentication-Results fields.
std::vector<tlsrpt::SignatureCheck> deciding_checks(const MessageContext& message,
                                                    const Runtime& runtime);

} // namespace milter
