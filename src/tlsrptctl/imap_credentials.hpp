// imap_credentials.hpp: where `tlsrptctl import imaps://` takes the IMAP password from, never
// the command line (every local user can read that): --password-file (refused unless only its
// owner can read it, mode 0600 or stricter), else the environment (TLSRPT_IMAP_PASSWORD),
// else the user's ~/.netrc (or $NETRC), read by libcurl, refused on the same mode rule.
#pragma once

#include <optional>
#include <string>

namespace tlsrptctl::imap {

struct Credentials {
    std::optional<std::string> password; // nullopt: libcurl reads `netrc_file`
    std::string netrc_file;
    std::string source; // "--password-file FILE", "TLSRPT_IMAP_PASSWORD", "~/.netrc" (messages)
};

struct CredentialsResult {
    std::optional<Credentials> credentials;
    std::string error;
};

// The password source, checked; `password_file` is "" when not given.
CredentialsResult find_credentials(const std::string& password_file);

// The first line of a secret file if only its owner may read or write it; else an error that
// names the file and what is wrong with it. Exposed for the tests.
CredentialsResult read_password_file(const std::string& path);

} // namespace tlsrptctl::imap
