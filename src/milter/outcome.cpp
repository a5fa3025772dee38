// outcome.cpp: decide() (see outcome.hpp). Order of precedence: a temporary failure wins
// (the sender retries and nothing is lost), then the size limit, then an unusable report
// (OnInvalid), then success.
#include "outcome.hpp"

namespace milter {

namespace {

// Dropping the message for the report addresses only: discard when they are all there is.
Action drop_for_report_addresses(const Facts& f) {
    return f.other_recipients ? Action::remove_report_rcpts : Action::discard;
}

// Refusing a report: 5xx when only report addresses are there. With other recipients a 5xx
// would bounce their mail too, and deleting the report addresses would drop the report
// silently: the message passes untouched instead, so the report reaches the report mailbox
// (or bounces from there) and nothing is lost.
Decision refuse(const Facts& f, ReplyKind kind, const std::string& reason) {
    if (f.other_recipients)
        return {Action::accept, Verdict::passed, {}, reason + " (other recipients: passed)"};
    return {Action::reject, Verdict::rejected, make_reply(kind, reason), reason};
}

Decision tempfail(const std::string& reason, TempCause cause = TempCause::internal) {
    const ReplyKind kind = cause == TempCause::dns ? ReplyKind::dkim_tempfail : ReplyKind::tempfail;
    return {Action::tempfail, Verdict::tempfail, make_reply(kind), reason, cause};
}

Decision unusable(const Facts& f) {
    const std::string& why = *f.unusable;
    switch (f.on_invalid) {
    case OnInvalid::pass:
        return {Action::accept, Verdict::passed, {}, why};
    case OnInvalid::reject:
        return refuse(f, ReplyKind::invalid, why);
    case OnInvalid::quarantine:
        break;
    }
    if (!f.quarantine) return tempfail("quarantine not attempted: " + why);
    const tlsrpt::store::Outcome q{*f.quarantine, 0, f.quarantine_message};
    if (q.ok()) return {drop_for_report_addresses(f), Verdict::quarantined, {}, why};
    // the message could not be kept: the sender keeps it and retries
    return tempfail(why + " (quarantine failed: " + q.message + ")", TempCause::database);
}

} // namespace

const char* to_string(TempCause c) {
    switch (c) {
    case TempCause::database:
        return "database";
    case TempCause::dns:
        return "dns";
    case TempCause::pool:
        return "pool";
    case TempCause::memory:
        return "memory";
    case TempCause::internal:
        return "internal";
    }
    return "?";
}

const char* to_string(Action a) {
    switch (a) {
    case Action::accept:
        return "accept";
    case Action::discard:
        return "discard";
    case Action::remove_report_rcpts:
        return "remove-report-rcpts";
    case Action::reject:
        return "reject";
    case Action::tempfail:
        return "tempfail";
    }
    return "?";
}

const char* to_string(Verdict v) {
    switch (v) {
    case Verdict::stored:
        return "stored";
    case Verdict::duplicate:
        return "duplicate";
    case Verdict::quarantined:
        return "quarantined";
    case Verdict::rejected:
        return "rejected";
    case Verdict::passed:
        return "passed";
    case Verdict::tempfail:
        return "tempfail";
    }
    return "?";
}

bool wants_quarantine(const Facts& f) {
    return f.unusable && !f.temporary && !f.too_large && f.on_invalid == OnInvalid::quarantine;
}

Decision decide(const Facts& f) {
    if (f.temporary) return tempfail(*f.temporary, f.temp_cause);
    if (f.too_large) return refuse(f, ReplyKind::too_large, "message exceeds MaxMessageSize");
    if (f.unusable) return unusable(f);
    if (f.stored + f.duplicate == 0) return tempfail("no report was read or stored");
    const Verdict v = f.stored > 0 ? Verdict::stored : Verdict::duplicate;
    return {drop_for_report_addresses(f), v, {}, f.conflict.value_or("")};
}

} // namespace milter
