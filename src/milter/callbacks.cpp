// callbacks.cpp: the extern "C" libmilter callbacks, kept thin. Each one only frames the
// protocol: it moves the MTA's data into the connection's MessageContext, and at end of message
// hands over to ingest() and decide() and carries out the Decision. Every body runs inside
// guarded(): no exception ever unwinds into libmilter; one becomes 451 4.3.0.
#include "callbacks.hpp"

#include "ingest.hpp"
#include "message_context.hpp"
#include "metrics.hpp"
#include "outcome.hpp"
#include "recipients.hpp"
#include "runtime.hpp"
#include "schema_watch.hpp"
#include "shared.hpp"
#include "smtp_reply.hpp"

#include <libmilter/mfapi.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace milter {

namespace {

// One MTA connection: the configuration snapshot it started with and the current message.
struct Connection {
    std::shared_ptr<const Runtime> runtime = current_runtime();
    std::unique_ptr<MessageContext> message;
    std::optional<InFlight> in_flight;
    // Steps whose reply the MTA agreed not to wait for (SMFIP_NR_MAIL, _RCPT, _HDR, _EOH): one
    // round trip less each. What such a step finds is answered at the next step that has a
    // reply (DATA at the latest, for the envelope).
    unsigned long no_reply = 0;
    // The reply of a message marked failed: 451 4.3.0, or 4.3.2 when a report recipient came
    // while the milter was stopping and RCPT had no reply of its own.
    ReplyKind failure_reply = ReplyKind::tempfail;
    // SMFIP_HDR_LEADSPC agreed: header values arrive exactly as sent, with the blanks after
    // the colon, so that the message rebuilt for DKIM (simple header canonicalization, RFC
    // 6376 §3.4.1) is byte for byte the one that was signed.
    bool leading_space = false;

    bool replies(unsigned long nr_flag) const { return (no_reply & nr_flag) == 0; }

    void end_message() {
        message.reset();
        in_flight.reset();
        failure_reply = ReplyKind::tempfail;
    }
};

Connection* connection(SMFICTX* ctx) {
    return static_cast<Connection*>(smfi_getpriv(ctx));
}

Connection& ensure_connection(SMFICTX* ctx) {
    if (Connection* c = connection(ctx)) return *c;
    auto c = std::make_unique<Connection>();
    if (smfi_setpriv(ctx, c.get()) != MI_SUCCESS) throw std::runtime_error("smfi_setpriv failed");
    return *c.release();
}

void set_reply(SMFICTX* ctx, const SmtpReply& r) {
    std::string code = r.code, xcode = r.xcode, text = r.text;
    if (smfi_setreply(ctx, code.data(), xcode.data(), text.data()) != MI_SUCCESS)
        log::warning("smfi_setreply refused " + code + " " + xcode + " " + text);
}

std::string macro(SMFICTX* ctx, const char* name) {
    const char* v = smfi_getsymval(ctx, const_cast<char*>(name));
    return v ? std::string(v) : std::string();
}

void note_queue_id(SMFICTX* ctx, MessageContext& m) {
    std::string id = macro(ctx, "i");
    if (id.empty()) id = macro(ctx, "{i}");
    if (!id.empty()) m.queue_id = id;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items)
        out += (out.empty() ? "" : ",") + s;
    return out.empty() ? "-" : out;
}

// The one log line of a message outcome, keyed by the MTA queue id.
void log_outcome(const MessageContext& m, const Decision& d, const IngestResult* r) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - m.started)
                        .count();
    std::string line =
        "queue_id=" + log::quote(m.queue_id.empty() ? "NOQUEUE" : m.queue_id) +
        " outcome=" + to_string(d.verdict) + " reports=" + std::to_string(r ? r->reports : 0) +
        " domains=" + log::quote(r ? join(r->domains) : "-") +
        " reporter=" + log::quote(r && !r->reporter.empty() ? r->reporter : "-") +
        " dkim=" + (r && !r->dkim.result.empty() ? r->dkim.result : "-") +
        " dkim_domain=" + log::quote(r && !r->dkim.domain.empty() ? r->dkim.domain : "-") +
        " ms=" + std::to_string(ms);
    if (!d.reason.empty()) line += " reason=" + log::quote(d.reason);
    log::info(line);
    metrics::message(to_string(d.verdict), to_string(d.cause));
}

// Removes every report recipient; false when the MTA refused one.
bool remove_report_recipients(SMFICTX* ctx, const MessageContext& m) {
    for (const std::string& rcpt : m.report_recipients()) {
        std::string r = rcpt;
        if (smfi_delrcpt(ctx, r.data()) != MI_SUCCESS) return false;
    }
    return true;
}

// Carries out a decision and ends the message.
sfsistat finish(SMFICTX* ctx, Connection& c, Decision d, const IngestResult* r) {
    if (d.action == Action::remove_report_rcpts && !remove_report_recipients(ctx, *c.message)) {
        d = {Action::tempfail, Verdict::tempfail, make_reply(ReplyKind::tempfail),
             "smfi_delrcpt failed" + (d.reason.empty() ? "" : " after: " + d.reason)};
    }
    if (d.reply) set_reply(ctx, *d.reply);
    log_outcome(*c.message, d, r);
    c.end_message();
    switch (d.action) {
    case Action::accept:
        return SMFIS_ACCEPT;
    case Action::discard:
        return SMFIS_DISCARD;
    case Action::remove_report_rcpts:
        return SMFIS_ACCEPT;
    case Action::reject:
        return SMFIS_REJECT;
    case Action::tempfail:
        return SMFIS_TEMPFAIL;
    }
    return SMFIS_TEMPFAIL;
}

// What decide() needs about a message that crossed MaxMessageSize.
Facts too_large_facts(const MessageContext& m) {
    Facts f;
    f.too_large = true;
    f.other_recipients = m.has_other_recipient();
    return f;
}

// After a collecting step: carry on, or end the message as soon as MaxMessageSize is crossed:
// 552 when only report addresses would lose it, else let it pass untouched (see decide()).
sfsistat collected(SMFICTX* ctx, Connection& c, bool within_limit) {
    if (within_limit) return SMFIS_CONTINUE;
    Decision d = decide(too_large_facts(*c.message));
    if (d.action != Action::reject && d.action != Action::accept) return SMFIS_CONTINUE;
    note_queue_id(ctx, *c.message);
    return finish(ctx, c, std::move(d), nullptr);
}

// Marks the message failed (logged once, as its outcome) so that it ends in 451 4.3.0 at the
// latest at end of message, even where the MTA does not wait for this step's reply.
void fail_message(SMFICTX* ctx, const std::string& why) {
    set_reply(ctx, make_reply(ReplyKind::tempfail));
    Connection* c = connection(ctx);
    if (!c || !c->message || !c->message->failure.empty()) return;
    c->message->failure = why;
    log_outcome(*c->message, {Action::tempfail, Verdict::tempfail, {}, why}, nullptr);
}

// Runs a callback body; an escaping exception ends the message with 451 4.3.0 (at once when
// the MTA waits for this step's reply, else at the next step that has one). At an RCPT with a
// reply of its own the 451 refuses only that recipient: the message stays, marked failed, so
// that DATA answers 451 too if a report recipient was already accepted.
template <typename Body>
sfsistat guarded(SMFICTX* ctx, const char* stage, Body&& body, bool replies = true,
                 bool per_recipient = false) noexcept {
    std::string why = std::string("internal error in ") + stage;
    try {
        return body();
    } catch (const std::exception& e) {
        why += std::string(": ") + e.what();
    } catch (...) {
        why += ": unknown exception";
    }
    try {
        log::error(why);
        fail_message(ctx, why);
        if (Connection* c = connection(ctx); c && replies && !per_recipient) c->end_message();
    } catch (...) {
    }
    return replies ? SMFIS_TEMPFAIL : SMFIS_NOREPLY;
}

// The macros each step needs (smfi_setsymlist), instead of the MTA's defaults (Postfix sends
// 5 at connect, 5 at HELO, 7 at MAIL, 4 at RCPT): only the queue id, which Postfix knows from
// DATA on, and Sendmail's {msg_id}. A stage needs a non-empty list, else the MTA's applies.
void request_macros(SMFICTX* ctx) {
    static const std::pair<int, const char*> lists[] = {
        {SMFIM_CONNECT, "j"}, {SMFIM_HELO, "j"}, {SMFIM_ENVFROM, "i"},     {SMFIM_ENVRCPT, "i"},
        {SMFIM_DATA, "i"},    {SMFIM_EOH, "i"},  {SMFIM_EOM, "i {msg_id}"}};
    for (const auto& [stage, names] : lists)
        if (smfi_setsymlist(ctx, stage, const_cast<char*>(names)) != MI_SUCCESS)
            log::warning(std::string("smfi_setsymlist refused ") + names);
}

// A report recipient the milter cannot take now (stopping, or no database ready): `kind` (4xx)
// for this recipient when RCPT has a reply, else for the whole message at DATA (the sender
// retries every recipient).
sfsistat refuse_recipient(SMFICTX* ctx, Connection& c, const char* rcpt, bool replies,
                          ReplyKind kind, const std::string& why) {
    if (replies) {
        set_reply(ctx, make_reply(kind));
        return SMFIS_TEMPFAIL;
    }
    c.message->add_recipient(rcpt, true);
    c.failure_reply = kind;
    fail_message(ctx, why);
    return SMFIS_NOREPLY;
}

// A step of a message that only matters for report recipients; accept the rest early. A
// failed message answers 451 4.3.0 at its first step that gets a reply.
template <typename Body>
sfsistat in_message(SMFICTX* ctx, const char* stage, unsigned long nr_flag, Body&& body) {
    const Connection* conn = connection(ctx);
    const bool replies = !conn || conn->replies(nr_flag);
    return guarded(
        ctx, stage,
        [&]() -> sfsistat {
            Connection* c = connection(ctx);
            if (!c || !c->message || !c->message->has_report_recipient()) {
                if (c && c->message) metrics::untouched(); // counted once: the message ends here
                if (c) c->end_message();
                return replies ? SMFIS_ACCEPT : SMFIS_NOREPLY;
            }
            if (!c->message->failure.empty()) {
                if (!replies) return SMFIS_NOREPLY;
                set_reply(ctx, make_reply(c->failure_reply));
                c->end_message();
                return SMFIS_TEMPFAIL;
            }
            return body(*c);
        },
        replies);
}

extern "C" {

sfsistat cb_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long,
                      unsigned long, unsigned long* pf0, unsigned long* pf1, unsigned long* pf2,
                      unsigned long* pf3) {
    return guarded(ctx, "negotiate", [&]() -> sfsistat {
        if (!(f0 & SMFIF_DELRCPT)) {
            log::error("the MTA does not offer SMFIF_DELRCPT; refusing the connection");
            return SMFIS_REJECT;
        }
        *pf0 = SMFIF_DELRCPT;
        // Steps we do not need (connection info, HELO, unknown commands), and no reply to
        // MAIL FROM, RCPT TO, each header, end of headers: none is refused on its own (a
        // refusal is answered at the next step that has a reply). DATA (the early accept of
        // mail for nobody in ReportAddresses: its one round trip), body and end of message
        // keep theirs.
        const unsigned long no_reply = SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH;
        *pf1 =
            f1 & (SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOUNKNOWN | no_reply | SMFIP_HDR_LEADSPC);
        *pf2 = *pf3 = 0;
        if (f0 & SMFIF_SETSYMLIST) {
            *pf0 |= SMFIF_SETSYMLIST;
            request_macros(ctx);
        }
        Connection& c = ensure_connection(ctx);
        c.no_reply = *pf1 & no_reply;
        c.leading_space = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
        return SMFIS_CONTINUE;
    });
}

sfsistat cb_envfrom(SMFICTX* ctx, char**) {
    const Connection* conn = connection(ctx);
    const bool replies = !conn || conn->replies(SMFIP_NR_MAIL);
    return guarded(
        ctx, "envfrom",
        [&]() -> sfsistat {
            Connection& c = ensure_connection(ctx);
            c.end_message();
            c.message = std::make_unique<MessageContext>(c.runtime->config->max_message_size,
                                                         c.leading_space);
            note_queue_id(ctx, *c.message);
            return replies ? SMFIS_CONTINUE : SMFIS_NOREPLY;
        },
        replies);
}

sfsistat cb_envrcpt(SMFICTX* ctx, char** argv) {
    const Connection* conn = connection(ctx);
    const bool replies = !conn || conn->replies(SMFIP_NR_RCPT);
    return guarded(
        ctx, "envrcpt",
        [&]() -> sfsistat {
            const sfsistat go_on = replies ? SMFIS_CONTINUE : SMFIS_NOREPLY;
            Connection* c = connection(ctx);
            if (!c || !c->message || !argv || !argv[0]) return go_on;
            const bool report = is_report_address(argv[0], c->runtime->config->report_addresses);
            // Stopping: a message not yet admitted waits (4xx) when it has a report recipient;
            // one admitted before is finished whatever recipients follow; other mail goes on.
            if (report && !c->in_flight && !InFlight::enter(c->in_flight))
                return refuse_recipient(ctx, *c, argv[0], replies, ReplyKind::shutting_down,
                                        "the milter is stopping");
            // No database ready yet (schema_watch.hpp): 451 4.3.0 until it is.
            if (report && !database_ready())
                return refuse_recipient(ctx, *c, argv[0], replies, ReplyKind::tempfail,
                                        "database not ready (see the startup log)");
            c->message->add_recipient(argv[0], report);
            return go_on;
        },
        replies, true);
}

sfsistat cb_data(SMFICTX* ctx) {
    return in_message(ctx, "data", 0, [](Connection&) { return SMFIS_CONTINUE; });
}

sfsistat cb_header(SMFICTX* ctx, char* name, char* value) {
    return in_message(ctx, "header", SMFIP_NR_HDR, [&](Connection& c) {
        const bool fits = c.message->add_header(name ? name : "", value ? value : "");
        return c.replies(SMFIP_NR_HDR) ? collected(ctx, c, fits) : SMFIS_NOREPLY;
    });
}

sfsistat cb_eoh(SMFICTX* ctx) {
    return in_message(ctx, "eoh", SMFIP_NR_EOH, [&](Connection& c) {
        const bool fits = c.message->end_of_headers();
        return c.replies(SMFIP_NR_EOH) ? collected(ctx, c, fits) : SMFIS_NOREPLY;
    });
}

sfsistat cb_body(SMFICTX* ctx, unsigned char* chunk, size_t len) {
    return in_message(ctx, "body", 0, [&](Connection& c) {
        const std::string_view bytes(reinterpret_cast<const char*>(chunk), chunk ? len : 0);
        return collected(ctx, c, c.message->add_body(bytes));
    });
}

sfsistat cb_eom(SMFICTX* ctx) {
    return in_message(ctx, "eom", 0, [&](Connection& c) {
        MessageContext& m = *c.message;
        note_queue_id(ctx, m);
        m.end_of_headers();
        if (m.too_large()) return finish(ctx, c, decide(too_large_facts(m)), nullptr);
        metrics::message_bytes(m.raw().size());
        const IngestResult r = ingest(m, *c.runtime);
        return finish(ctx, c, decide(r.facts), &r);
    });
}

sfsistat cb_abort(SMFICTX* ctx) {
    return guarded(ctx, "abort", [&]() -> sfsistat {
        if (Connection* c = connection(ctx)) c->end_message();
        return SMFIS_CONTINUE;
    });
}

sfsistat cb_close(SMFICTX* ctx) {
    return guarded(ctx, "close", [&]() -> sfsistat {
        std::unique_ptr<Connection> c(connection(ctx));
        smfi_setpriv(ctx, nullptr);
        return SMFIS_CONTINUE;
    });
}

} // extern "C"

} // namespace

bool register_callbacks() {
    smfiDesc desc{};
    desc.xxfi_name = const_cast<char*>("tlsrpt-milter");
    desc.xxfi_version = SMFI_VERSION;
    desc.xxfi_flags = SMFIF_DELRCPT;
    desc.xxfi_envfrom = cb_envfrom;
    desc.xxfi_envrcpt = cb_envrcpt;
    desc.xxfi_header = cb_header;
    desc.xxfi_eoh = cb_eoh;
    desc.xxfi_body = cb_body;
    desc.xxfi_eom = cb_eom;
    desc.xxfi_abort = cb_abort;
    desc.xxfi_close = cb_close;
    desc.xxfi_data = cb_data;
    desc.xxfi_negotiate = cb_negotiate;
    return smfi_register(desc) == MI_SUCCESS;
}

} // namespace milter
