// outcome.hpp: the one place that decides what the MTA is told about a message to a report
// address, from what reading, checking and storing found. A pure function: no libmilter, no
// database, so every combination is a table row in tests/milter/test_milter_outcome.cpp.
#pragma once

#include "config.hpp"
#include "smtp_reply.hpp"

#include "tlsrpt/store.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace milter {

// Why a message could not be handled now (the tempfail causes of the metrics).
enum class TempCause { database, dns, pool, memory, internal };
const char* to_string(TempCause c);

// What happened to the message, as far as the answer depends on it.
struct Facts {
    std::size_t stored = 0;               // reports newly stored
    std::size_t duplicate = 0;            // reports already stored (duplicate or conflict)
    std::optional<std::string> conflict;  // a report-id stored before with other content
    std::optional<std::string> temporary; // a failure worth a retry (database, pool, internal)
    TempCause temp_cause = TempCause::database;
    std::optional<std::string> unusable; // why the message holds no usable report
    bool too_large = false;              // MaxMessageSize crossed; nothing was read
    // Result of Store::quarantine, when it was called (OnInvalid quarantine).
    std::optional<tlsrpt::store::Status> quarantine;
    std::string quarantine_message;
    OnInvalid on_invalid = OnInvalid::quarantine;
    bool other_recipients = false; // a recipient that is no report address
};

enum class Action {
    accept,              // leave the message alone
    discard,             // drop it for every recipient (all are report addresses)
    remove_report_rcpts, // smfi_delrcpt each report address, then accept for the others
    reject,              // 5xx with `reply`
    tempfail,            // 4xx with `reply`
};

// The outcome= word of the log line.
enum class Verdict { stored, duplicate, quarantined, rejected, passed, tempfail };

const char* to_string(Action a);
const char* to_string(Verdict v);

struct Decision {
    Action action = Action::tempfail;
    Verdict verdict = Verdict::tempfail;
    std::optional<SmtpReply> reply;        // set for reject and tempfail
    std::string reason;                    // for the log line; empty when all went well
    TempCause cause = TempCause::internal; // for tempfail: why (metrics)
};

// Whether Store::quarantine should be called before deciding (unusable, OnInvalid quarantine).
bool wants_quarantine(const Facts& facts);

// The answer. Never removes every recipient and accepts: with no other recipient the message
// is discarded; a 5xx is only given when nobody else would lose the message.
Decision decide(const Facts& facts);

} // namespace milter
