// item_import.hpp: one imported item (a file, an mbox message, a message of an IMAP mailbox)
// through the pipeline, the DKIM rule and the store, with one outcome per item; shared by
// `tlsrptctl import PATH` (cmd_import.cpp) and `tlsrptctl import imaps://` (cmd_imap.cpp).
// Counts every outcome for the closing summary line and names every item that was not simply
// stored on standard error. Expected failures are values; nothing here throws but bugs.
#pragma once

#include "tlsrpt/dkim_verify.hpp"
#include "tlsrpt/limits.hpp"
#include "tlsrpt/report.hpp"
#include "tlsrpt/store.hpp"

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace tlsrptctl {

// What became of one item; an IMAP message is moved (or left) according to it.
enum class ItemOutcome {
    stored,      // at least one report newly stored (or replacing an unauthenticated copy)
    duplicate,   // every report was stored before (conflicting copies kept aside)
    quarantined, // no usable report: the message is kept in tlsrpt.rejected_messages
    refused,     // no usable report, not quarantined (a file stays where it is; oversize)
    deferred,    // a temporary failure (database, DNS): try the item again later
};
const char* to_string(ItemOutcome o);

struct ItemImportOptions {
    tlsrpt::store::Source source = tlsrpt::store::Source::file;
    bool require_dkim = false; // RFC 8460 §3: only reports with an aligned DKIM pass
    // true (a mailbox): an unusable message is quarantined whole, as the milter does, and a
    // failure that stays temporary for `give_up_after` while the database answers is too.
    // false (files): unusable items and reports are refused and named; files are the copy.
    bool quarantine = false;
    std::chrono::seconds give_up_after = std::chrono::hours(24);
};

// One line rewritten in place on a terminal (standard error); silent otherwise.
class Progress {
  public:
    Progress();
    void show(const std::string& text);
    void clear();

  private:
    bool tty_;
    bool shown_ = false;
};

class ItemImporter {
  public:
    ItemImporter(tlsrpt::store::Store& store, const tlsrpt::DkimVerifier& verifier,
                 ItemImportOptions options, Progress& progress);

    // Reads `bytes` (named `name` in messages) and stores its reports, or quarantines it.
    ItemOutcome import(const std::string& name, const std::string& bytes);

    // An item that could not be read at all (too large, unreadable file): refused, named.
    ItemOutcome refuse(const std::string& name, const std::string& reason);

    // True after this many temporary database failures in a row: the database is down, not
    // busy, and further items would only wait for their connection timeouts.
    bool database_down() const { return temporary_in_a_row_ >= kTemporaryInARow; }
    static constexpr std::size_t kTemporaryInARow = 3;

    // "stored N, duplicates N, conflicts N, refused N" and ", replaced N", ", quarantined N",
    // ", deferred N" when there were some; no newline.
    void summary(std::ostream& out) const;

    // 1 when something was refused, else 75 when something was deferred, else 0.
    int exit_status() const;

  private:
    struct Item;
    void read_and_store(Item& item);
    void store_reports(Item& item, const std::vector<tlsrpt::Report>& reports,
                       const std::vector<tlsrpt::DkimAssessment>& verdicts);
    void quarantine(Item& item);
    void bound_retries(Item& item);
    void note(const std::string& name, const std::string& what, const std::string& text);

    tlsrpt::store::Store& store_;
    const tlsrpt::DkimVerifier& verifier_;
    const ItemImportOptions options_;
    Progress& progress_;
    tlsrpt::Limits limits_;
    std::size_t stored_ = 0, duplicates_ = 0, conflicts_ = 0, refused_ = 0, replaced_ = 0;
    std::size_t quarantined_ = 0, deferred_ = 0, temporary_in_a_row_ = 0;
};

} // namespace tlsrptctl
