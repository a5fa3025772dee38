// imap_import.hpp: one pass over an IMAP mailbox for `tlsrptctl import imaps://`: every
// message not flagged \Deleted, lowest UID first, sized (RFC822.SIZE) before it is fetched and
// capped while it arrives, read and stored by the ItemImporter (item_import.hpp), and only
// then, after its commit, moved: stored or duplicate to the processed folder (or deleted with
// --expunge), quarantined or refused to the rejected folder; deferred ones stay for the next
// pass. The mailbox itself is the progress: a pass that was killed is resumed by the next one,
// whose reading of an already stored report is a duplicate and moves it on.
#pragma once

#include "imap_session.hpp"
#include "item_import.hpp"

#include <atomic>
#include <cstddef>
#include <iosfwd>
#include <string>

namespace tlsrptctl::imap {

struct MailboxOptions {
    std::string move_to = "tlsrpt/processed";
    std::string rejected_to = "tlsrpt/rejected";
    bool expunge = false;         // delete stored messages instead of moving them
    std::size_t max_size = 0;     // bytes; larger messages are refused unread
    bool log_each = false;        // one line per message on standard error (--watch)
    std::size_t max_messages = 0; // --max-messages: at most this many a pass; 0: all
};

struct PassCounts {
    std::size_t messages = 0, processed = 0, rejected = 0, deleted = 0, left = 0;
    void add(const PassCounts& o);
};

struct PassResult {
    Status status;              // the session's failure, if the pass ended on one
    bool database_down = false; // the pass stopped: the database kept failing
    bool fetch_failed = false;  // the last message could not be fetched (left where it is)
    PassCounts counts;
};

class MailboxImporter {
  public:
    MailboxImporter(ItemImporter& items, Progress& progress, MailboxOptions options);

    // Opens `session`, makes the folders and handles every message; returns early when
    // `stop` becomes true (after the message in hand), the session fails, or the database
    // is down.
    PassResult pass(Session& session, const std::atomic<bool>& stop);

    // "; messages N: N to FOLDER, N to FOLDER, N left in MAILBOX" for the summary line.
    void summary(std::ostream& out, const PassCounts& counts, const std::string& mailbox) const;

  private:
    Status handle(Session& session, Uid uid, std::uint64_t size, PassResult& result);
    Status dispose(Session& session, Uid uid, ItemOutcome outcome, PassResult& result);

    ItemImporter& items_;
    Progress& progress_;
    MailboxOptions options_;
};

} // namespace tlsrptctl::imap
