// imap_protocol.hpp: the pure parts of reading a mailbox over IMAP (RFC 9051, RFC 3501) for
// `tlsrptctl import imaps://`: the mailbox URL (RFC 5092 in its plain form), quoting of
// mailbox names, and the untagged responses libcurl hands back for the commands sent as
// CURLOPT_CUSTOMREQUEST (STATUS, FETCH, LIST, CAPABILITY). No I/O here, so each
// rule is a table row in tests/tlsrptctl/test_imap_protocol.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrptctl::imap {

using Uid = std::uint32_t; // RFC 9051 §2.3.1.1: a non-zero 32-bit number

// imaps://USER@HOST[:PORT]/MAILBOX or imap://... (STARTTLS): what to connect to.
struct Target {
    bool implicit_tls = true; // imaps: TLS from the first byte (RFC 8314); imap: STARTTLS
    std::string user;         // percent-decoded; may hold '@'
    std::string host;         // a name, an IPv4 address or an IPv6 address without brackets
    int port = 993;
    std::string mailbox = "INBOX"; // percent-decoded
};

// The URL parsed, or the reason it cannot be used. A password in the URL is refused: the
// command line is visible to every local user (ps, /proc).
struct ParsedTarget {
    std::optional<Target> target;
    std::string error;
};
ParsedTarget parse_url(std::string_view url);

// True for the words `tlsrptctl import` hands to the IMAP importer.
bool is_imap_url(std::string_view word);

// The URL again, with the user and the mailbox, for messages (never a password).
std::string describe(const Target& t);

// A mailbox name as an IMAP quoted string (RFC 9051 §4.3), or nullopt when it holds what we
// do not send: control characters, or non-ASCII (which would need modified UTF-7, §5.1.3).
std::optional<std::string> quote(std::string_view mailbox);

// `name` written with '/' between levels, in the server's hierarchy delimiter (LIST "" "").
std::string with_delimiter(std::string_view name, char delimiter);

// UID -> RFC822.SIZE from the "* N FETCH (... UID u ... RFC822.SIZE s ...)" lines; with
// skip_deleted, lines whose FLAGS hold \Deleted are left out.
std::map<Uid, std::uint64_t> parse_sizes(std::string_view response, bool skip_deleted = false);

// n of "MESSAGES n" in a "* STATUS mailbox (...)" line; nullopt without one.
std::optional<std::uint64_t> parse_status_messages(std::string_view response);

// The capability names (upper case) of the "* CAPABILITY ..." lines.
std::set<std::string> parse_capabilities(std::string_view response);

// The hierarchy delimiter of the first "* LIST (...) DELIM NAME" line: '\0' for NIL (a flat
// server), nullopt when there is no LIST line.
std::optional<char> parse_list_delimiter(std::string_view response);

// True when `response` has at least one "* LIST" line (LIST "" "name": the folder exists).
bool has_list_line(std::string_view response);

} // namespace tlsrptctl::imap
