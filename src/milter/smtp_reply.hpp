// smtp_reply.hpp: every SMTP reply the milter sends, built in one place that can only produce
// valid ones: "[45]dd x.y.z text" (RFC 5321 §4.2, RFC 3463 enhanced codes) with text that is
// printable ASCII, bounded, and free of '%' (libmilter treats it as a format character).
#pragma once

#include <string>
#include <string_view>

namespace milter {

enum class ReplyKind {
    tempfail,      // 451 4.3.0: database, pool or internal trouble; the sender retries
    shutting_down, // 451 4.3.2: the milter is stopping (at RCPT, or DATA); the sender retries
    dkim_tempfail, // 451 4.7.5: a DKIM key could not be looked up now (RFC 6376 §6.1.2)
    too_large,     // 552 5.3.4: MaxMessageSize crossed
    invalid,       // 550 5.6.0: no usable report (OnInvalid reject)
};

struct SmtpReply {
    std::string code;  // "451"
    std::string xcode; // "4.3.0"
    std::string text;  // sanitized, never empty
};

// The reply of `kind` carrying `detail` (sanitized; a fixed text when empty).
SmtpReply make_reply(ReplyKind kind, std::string_view detail = {});

// Printable ASCII only ('%' and controls become '?', runs of blanks one space), at most
// max_length characters (cut with "..."), "-" when nothing is left.
std::string sanitize_reply_text(std::string_view text, std::size_t max_length = 200);

// Whether a reply has the shape Postfix accepts from a milter; used by the tests.
bool is_valid_reply(const SmtpReply& reply);

} // namespace milter
