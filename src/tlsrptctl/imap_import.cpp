// imap_import.cpp: see imap_import.hpp.
#include "imap_import.hpp"

#include "tlsrpt/text.hpp"

#include <iostream>
#include <map>

namespace tlsrptctl::imap {

void PassCounts::add(const PassCounts& o) {
    messages += o.messages;
    processed += o.processed;
    rejected += o.rejected;
    deleted += o.deleted;
    left += o.left;
}

MailboxImporter::MailboxImporter(ItemImporter& items, Progress& progress, MailboxOptions options)
    : items_(items), progress_(progress), options_(std::move(options)) {}

PassResult MailboxImporter::pass(Session& session, const std::atomic<bool>& stop) {
    PassResult result;
    if (result.status = session.open(); !result.status.ok()) return result;
    if (!options_.expunge)
        if (result.status = session.ensure_folder(options_.move_to); !result.status.ok())
            return result;
    if (result.status = session.ensure_folder(options_.rejected_to); !result.status.ok())
        return result;
    std::map<Uid, std::uint64_t> sizes;
    if (result.status = session.list(sizes); !result.status.ok()) return result;
    // the oldest first; past --max-messages the rest wait for the next run
    const std::size_t todo =
        options_.max_messages > 0 ? std::min(options_.max_messages, sizes.size()) : sizes.size();
    std::size_t done = 0, fetch_failures = 0;
    for (const auto& [uid, size] : sizes) {
        if (stop || done == todo) break;
        progress_.show(session.mailbox() + ": " + std::to_string(done++) + "/" +
                       std::to_string(todo) + " messages");
        ++result.counts.messages;
        result.fetch_failed = false;
        result.status = handle(session, uid, size, result);
        // one message the server will not hand out (a NO for it) is left for the next pass and
        // the others still come; three in a row: the session is broken, the pass ends
        if (!result.status.ok() && result.fetch_failed && ++fetch_failures < 3) {
            std::cerr << "tlsrptctl import: " << tlsrpt::printable(session.mailbox()) << " UID "
                      << uid << ": cannot fetch it, left for the next run: "
                      << tlsrpt::printable(result.status.error) << "\n";
            result.status = {};
            continue;
        }
        if (!result.status.ok()) break;
        if (!result.fetch_failed) fetch_failures = 0;
        if (items_.database_down()) {
            result.database_down = true;
            break;
        }
    }
    progress_.clear();
    return result;
}

// One message: refused unread when too large, else fetched, imported and disposed of.
Status MailboxImporter::handle(Session& session, Uid uid, std::uint64_t size, PassResult& result) {
    const std::string name = session.mailbox() + " UID " + std::to_string(uid);
    const std::string cap = std::to_string(options_.max_size);
    if (size > options_.max_size)
        return dispose(session, uid,
                       items_.refuse(name, "RFC822.SIZE " + std::to_string(size) +
                                               " is over max_message_size (" + cap + ")"),
                       result);
    Fetched f = session.fetch(uid, options_.max_size);
    if (f.too_large)
        return dispose(session, uid,
                       items_.refuse(name, "more than max_message_size (" + cap +
                                               ") bytes arrived (RFC822.SIZE said " +
                                               std::to_string(size) + ")"),
                       result);
    if (!f.status.ok()) {
        ++result.counts.left;
        result.fetch_failed = true;
        return f.status;
    }
    return dispose(session, uid, items_.import(name, f.bytes), result);
}

// After the outcome is committed: where the message goes.
Status MailboxImporter::dispose(Session& session, Uid uid, ItemOutcome outcome,
                                PassResult& result) {
    PassCounts& c = result.counts;
    std::string where;
    Status s;
    switch (outcome) {
    case ItemOutcome::stored:
    case ItemOutcome::duplicate:
        if (options_.expunge) {
            s = session.remove(uid);
            where = "deleted";
            if (s.ok()) ++c.deleted;
        } else {
            s = session.move(uid, options_.move_to);
            where = "moved to " + options_.move_to;
            if (s.ok()) ++c.processed;
        }
        break;
    case ItemOutcome::quarantined:
    case ItemOutcome::refused:
        s = session.move(uid, options_.rejected_to);
        where = "moved to " + options_.rejected_to;
        if (s.ok()) ++c.rejected;
        break;
    case ItemOutcome::deferred:
        ++c.left;
        where = "left in " + session.mailbox();
        break;
    }
    if (!s.ok()) {
        ++c.left;
        s.error = "UID " + std::to_string(uid) + " (" + to_string(outcome) + ") not " + where +
                  ": " + s.error;
        return s;
    }
    if (options_.log_each) {
        progress_.clear();
        std::cerr << tlsrpt::printable(session.mailbox()) << " UID " << uid << ": "
                  << to_string(outcome) << ", " << tlsrpt::printable(where) << "\n";
    }
    return s;
}

void MailboxImporter::summary(std::ostream& out, const PassCounts& c,
                              const std::string& mailbox) const {
    out << "; messages " << c.messages << ": ";
    if (options_.expunge)
        out << c.deleted << " deleted";
    else
        out << c.processed << " to " << options_.move_to;
    out << ", " << c.rejected << " to " << options_.rejected_to << ", " << c.left << " left in "
        << mailbox;
}

} // namespace tlsrptctl::imap
