// digest_mail.hpp: the digest as one RFC 5322 message (multipart/alternative, RFC 2046 §5.1.4:
// text/plain first, then text/html, both UTF-8 quoted-printable) built with GMime, and its
// hand-over to the local MTA with `sendmail -t -oi`, the way cron and logwatch send mail: the
// recipients are read from the To: field, never from the command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tlsrptctl::digest {

struct MailParts {
    std::string from;            // "Name <addr>" or "addr"
    std::vector<std::string> to; // one address each
    std::string subject;
    std::string text, html;
    std::string host; // for the Message-ID
};

// The address when it is exactly one mailbox (addr-spec or name-addr), else nullopt.
std::optional<std::string> mailbox(const std::string& text);

// The whole message, LF line ends (sendmail converts). Needs valid mailboxes.
std::string build_message(const MailParts& parts);

// Runs `sendmail -t -oi` with the message as its standard input (an in-memory file, so its
// end is the message's end whatever happens); "" on success, else what went wrong (not
// started, its exit status). Past `timeout` seconds the child is killed.
std::string send_mail(const std::string& sendmail, const std::string& message, int timeout);

} // namespace tlsrptctl::digest
