// imap_session.hpp: one IMAP connection to the mailbox of `tlsrptctl import imaps://`, through
// libcurl (its IMAP support: login, STARTTLS, SELECT, literals; every other command is sent as
// CURLOPT_CUSTOMREQUEST). TLS is verified against the system's CAs or --ca-file; imap:// must
// upgrade with STARTTLS unless insecure_plaintext. All UIDs are used with the UIDVALIDITY read
// when the mailbox is listed (RFC 9051 §2.3.1.1): when it changed, the command fails instead of
// touching another message. Expected failures are values: each call answers ok, temporary (the
// network, the server busy: try again) or permanent (login, certificate, no such mailbox).
#pragma once

#include "imap_credentials.hpp"
#include "imap_protocol.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tlsrptctl::imap {

struct SessionOptions {
    Target target;
    Credentials credentials;
    bool insecure_plaintext = false; // imap:// without STARTTLS (a test server, a socket tunnel)
    std::string ca_file;             // "" = the system's CAs
    std::chrono::seconds timeout{120};
};

enum class Failure { none, temporary, permanent };

struct Status {
    Failure failure = Failure::none;
    std::string error;
    bool ok() const { return failure == Failure::none; }
};

struct Fetched {
    Status status;
    std::string bytes;
    bool too_large = false; // more than the cap arrived: aborted, nothing kept
};

class Session {
  public:
    explicit Session(SessionOptions options);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Logs in, reads the capabilities, the hierarchy delimiter and the mailbox's UIDVALIDITY;
    // permanent when the mailbox does not exist.
    Status open();

    // The messages to read, UID -> RFC822.SIZE, those flagged \Deleted left out: FETCH of
    // sequence ranges of kListChunk messages (UID FLAGS RFC822.SIZE), so that no answer grows
    // with the mailbox (libcurl caps one at 300 KiB as it counts: one UID SEARCH of a few
    // thousand messages is over it). A message expunged meanwhile by another client may shift one
    // out of this listing: it is in the next.
    Status list(std::map<Uid, std::uint64_t>& out);

    // The whole message (BODY[]), at most `cap` bytes: more aborts the transfer (too_large).
    Fetched fetch(Uid uid, std::size_t cap);

    // Creates `folder` ('/' between levels) unless it exists (LIST, then CREATE).
    Status ensure_folder(const std::string& folder);

    // Moves one message: UID MOVE (RFC 6851), else UID COPY + UID STORE +FLAGS (\Deleted) +
    // UID EXPUNGE (RFC 4315; plain EXPUNGE without UIDPLUS).
    Status move(Uid uid, const std::string& folder);

    // Deletes one message: UID STORE +FLAGS (\Deleted) and UID EXPUNGE (or EXPUNGE).
    Status remove(Uid uid);

    const std::string& mailbox() const { return options_.target.mailbox; }

    struct Curl; // the libcurl handle and its callbacks' state (imap_session.cpp)

  private:
    void configure(); // every libcurl option of the handle
    Status perform(const std::string& path, const std::string& command, std::string& out,
                   std::size_t cap = 64u << 20);
    Status command(const std::string& command, std::string& out);
    Status command(const std::string& command);
    std::string mailbox_path() const;
    std::string server_name(const std::string& folder) const;

    SessionOptions options_;
    std::unique_ptr<Curl> curl_;
    std::set<std::string> capabilities_;
    char delimiter_ = '/';
    std::string uidvalidity_;
};

} // namespace tlsrptctl::imap
