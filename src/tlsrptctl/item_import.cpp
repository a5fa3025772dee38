// item_import.cpp: see item_import.hpp. The order is the milter's (src/milter/ingest.cpp):
// read, DKIM rule, store each report, and for a mailbox quarantine what is unusable.
#include "item_import.hpp"

#include "item_dkim.hpp"

#include "tlsrpt/headers.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/text.hpp"

#include <iostream>
#include <optional>
#include <unistd.h>

namespace tlsrptctl {

namespace st = tlsrpt::store;

const char* to_string(ItemOutcome o) {
    switch (o) {
    case ItemOutcome::stored:
        return "stored";
    case ItemOutcome::duplicate:
        return "duplicate";
    case ItemOutcome::quarantined:
        return "quarantined";
    case ItemOutcome::refused:
        return "refused";
    case ItemOutcome::deferred:
        return "deferred";
    }
    return "?";
}

Progress::Progress() : tty_(isatty(STDERR_FILENO) == 1) {}

void Progress::show(const std::string& text) {
    if (!tty_) return;
    std::cerr << "\r\033[K" << text << std::flush;
    shown_ = true;
}

void Progress::clear() {
    if (tty_ && shown_) std::cerr << "\r\033[K" << std::flush;
    shown_ = false;
}

// What one item came to while it is being handled.
struct ItemImporter::Item {
    Item(const std::string& n, const std::string& b) : name(n), bytes(b) {}
    const std::string& name;
    const std::string& bytes;
    std::size_t stored = 0, duplicate = 0, refused = 0;
    std::optional<std::string> unusable;  // no usable report (quarantine mode)
    std::optional<std::string> temporary; // try again later
    bool database = false;                // the temporary failure was the database's
    bool quarantined = false;
};

ItemImporter::ItemImporter(st::Store& store, const tlsrpt::DkimVerifier& verifier,
                           ItemImportOptions options, Progress& progress)
    : store_(store), verifier_(verifier), options_(options), progress_(progress) {}

void ItemImporter::note(const std::string& name, const std::string& what, const std::string& text) {
    progress_.clear();
    std::cerr << tlsrpt::printable(name) << ": " << what << ": " << tlsrpt::printable(text) << "\n";
}

ItemOutcome ItemImporter::refuse(const std::string& name, const std::string& reason) {
    note(name, "refused", reason);
    ++refused_;
    return ItemOutcome::refused;
}

ItemOutcome ItemImporter::import(const std::string& name, const std::string& bytes) {
    Item item(name, bytes);
    read_and_store(item);
    if (item.temporary && options_.quarantine) bound_retries(item);
    if (item.unusable && options_.quarantine) quarantine(item);
    if (item.temporary) {
        note(name, "deferred (temporary, try again later)", *item.temporary);
        ++deferred_;
        return ItemOutcome::deferred;
    }
    if (item.quarantined) return ItemOutcome::quarantined;
    // quarantine() above answered permanently, or this is a file
    if (item.unusable) return refuse(name, *item.unusable);
    if (item.stored > 0) return ItemOutcome::stored;
    if (item.duplicate > 0) return ItemOutcome::duplicate;
    return item.refused > 0 ? ItemOutcome::refused : ItemOutcome::duplicate;
}

void ItemImporter::read_and_store(Item& item) {
    auto reports = tlsrpt::read_reports(item.bytes, limits_);
    if (!reports) {
        item.unusable = reports.error().describe();
        return;
    }
    const auto verdicts = item_verdicts(verifier_, item.bytes, *reports);
    if (options_.require_dkim) {
        for (std::size_t i = 0; i < verdicts.size(); ++i) {
            const tlsrpt::DkimAssessment& a = verdicts[i];
            if (a.authenticated) continue;
            // a key lookup that failed for now defers the whole item (RFC 6376 §6.1.2)
            if (a.temporary) {
                item.temporary = a.reason;
                return;
            }
            // a mailbox message is all or nothing, as in the milter
            if (options_.quarantine) {
                item.unusable = "report-id '" + (*reports)[i].report_id + "': " + a.reason;
                return;
            }
        }
    }
    store_reports(item, *reports, verdicts);
}

// Each report with its verdict; stops at the first temporary failure (the item is tried again
// as a whole, and what was stored is a duplicate then).
void ItemImporter::store_reports(Item& item, const std::vector<tlsrpt::Report>& reports,
                                 const std::vector<tlsrpt::DkimAssessment>& verdicts) {
    for (std::size_t i = 0; i < reports.size(); ++i) {
        const tlsrpt::DkimAssessment& a = verdicts[i];
        if (options_.require_dkim && !a.authenticated) { // files only: per report
            note(item.name, "refused", "report-id '" + reports[i].report_id + "': " + a.reason);
            ++refused_;
            ++item.refused;
            continue;
        }
        const st::Outcome out =
            store_.store_report(reports[i], {.source = options_.source, .dkim = stored_verdict(a)});
        if (out.status != st::Status::temporary) temporary_in_a_row_ = 0;
        switch (out.status) {
        case st::Status::stored:
            ++stored_;
            ++item.stored;
            break;
        case st::Status::duplicate:
            ++duplicates_;
            ++item.duplicate;
            break;
        case st::Status::conflict:
            note(item.name, "conflict", out.message);
            ++conflicts_;
            ++item.duplicate;
            break;
        case st::Status::replaced:
            note(item.name, "replaced", out.message);
            ++replaced_;
            ++item.stored;
            break;
        case st::Status::permanent:
            if (options_.quarantine) {
                item.unusable = "store refused the report: " + out.message;
                return;
            }
            note(item.name, "refused", "database: " + out.message);
            ++refused_;
            ++item.refused;
            break;
        case st::Status::temporary:
            item.temporary = "database: " + out.message;
            item.database = true;
            ++temporary_in_a_row_;
            return;
        }
    }
}

// Keeps the whole message in tlsrpt.rejected_messages with the reason, as the milter does.
void ItemImporter::quarantine(Item& item) {
    tlsrpt::MessageHeaders headers;
    if (tlsrpt::detect_input(item.bytes) == tlsrpt::InputKind::message)
        tlsrpt::for_each_header_field(tlsrpt::split_header_section(item.bytes).headers,
                                      [&](std::string_view name, std::string_view value) {
                                          tlsrpt::capture_header(headers, name, value);
                                      });
    const st::Outcome q = store_.quarantine(item.bytes, *item.unusable, headers, options_.source);
    if (q.status == st::Status::temporary) {
        ++temporary_in_a_row_;
        item.temporary = "quarantine: database: " + q.message + " (" + *item.unusable + ")";
        item.database = true;
        item.unusable.reset();
        return;
    }
    temporary_in_a_row_ = 0;
    if (q.status == st::Status::permanent) {
        *item.unusable += " (and the quarantine refused it: " + q.message + ")";
        return;
    }
    note(item.name, "quarantined", *item.unusable);
    ++quarantined_;
    item.unusable.reset();
    item.quarantined = true;
}

// A message that keeps failing temporarily while the database answers (a key lookup that
// always fails, a statement that always times out) is not tried for ever: after
// give_up_after of failures it is quarantined with why, like the milter's RetryMaxAge.
void ItemImporter::bound_retries(Item& item) {
    if (database_down()) return; // counting the attempt would fail the same way
    const auto attempts = store_.record_failed_attempt(item.bytes, *item.temporary);
    if (!attempts || attempts->count < 3 || attempts->age < options_.give_up_after) return;
    item.unusable = "gave up after " + std::to_string(attempts->count) + " temporary failures in " +
                    std::to_string(attempts->age.count()) + " s: " + *item.temporary;
    item.temporary.reset();
}

void ItemImporter::summary(std::ostream& out) const {
    out << "stored " << stored_ << ", duplicates " << duplicates_ << ", conflicts " << conflicts_
        << ", refused " << refused_;
    if (replaced_ > 0) out << ", replaced " << replaced_;
    if (quarantined_ > 0) out << ", quarantined " << quarantined_;
    if (deferred_ > 0) out << ", deferred " << deferred_;
}

int ItemImporter::exit_status() const {
    if (refused_ > 0) return 1;
    return deferred_ > 0 ? 75 : 0;
}

} // namespace tlsrptctl
