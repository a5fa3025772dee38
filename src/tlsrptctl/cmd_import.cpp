// cmd_import.cpp: `tlsrptctl import [--db CONNINFO] [--require-dkim] PATH...`: reads every
// item under PATH (files, directories, Maildirs, mbox) through the pipeline and stores each
// report with source "file", one transaction per report; already-stored reports count as
// duplicates. Every report's DKIM verdict (RFC 8460 §3, item_dkim.hpp) is stored with it;
// archived mail often fails verification later (rotated keys), so only --require-dkim refuses
// reports that are not authenticated, and defers an item whose key lookup failed for now.
// Exit 0 when nothing was refused, 1 when some input was, 75 when only temporary failures
// stood in the way: the database (that input is named as deferred and the others are tried;
// after three in a row the import stops; running it again resumes it) or, under
// --require-dkim, DNS (that item is skipped).
#include "cmd_store.hpp"
#include "dkim_options.hpp"
#include "item_dkim.hpp"

#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/sources.hpp"
#include "tlsrpt/store.hpp"
#include "tlsrpt/text.hpp"

#include <iostream>
#include <unistd.h>

namespace tlsrptctl {

namespace {

namespace st = tlsrpt::store;

const char* import_usage =
    "usage: tlsrptctl import [--db CONNINFO] [--require-dkim] [--resolver system|IP[:PORT]]\n"
    "                        [--trust-anchor FILE] [--timeout S] PATH...\n"
    "  every report's DKIM verdict is stored; --require-dkim refuses reports without an\n"
    "  aligned DKIM pass (RFC 8460 section 3) and skips items whose key lookup failed for now\n";

// Thrown out of the item callback to stop the walk when the database keeps failing: after
// this many temporary failures in a row it is down, not busy, and each further item would
// only wait for its connection timeout.
constexpr std::size_t kTemporaryInARow = 3;
struct TemporaryStop {
    std::string message;
};

// One line rewritten in place on a terminal; silent otherwise.
class Progress {
  public:
    Progress() : tty_(isatty(STDERR_FILENO) == 1) {}
    void show(std::size_t items) {
        if (tty_ && items % 50 == 0) std::cerr << "\r" << items << " items read" << std::flush;
    }
    void clear() {
        if (tty_) std::cerr << "\r\033[K" << std::flush;
    }

  private:
    bool tty_;
};

class Importer {
  public:
    Importer(st::Store& store, const tlsrpt::DkimVerifier& verifier, bool require_dkim)
        : store_(store), verifier_(verifier), require_dkim_(require_dkim) {}

    void item(tlsrpt::SourceItem&& item) {
        progress_.show(++items_);
        if (!item.read_error.empty()) return refuse(item.name, item.read_error);
        auto reports = tlsrpt::read_reports(item.bytes, limits_);
        if (!reports) return refuse(item.name, reports.error().describe());
        store_all(item.name, *reports, item_verdicts(verifier_, item.bytes, *reports));
    }

    // The closing line; replaced and deferred only appear when there were some.
    void finish() {
        progress_.clear();
        std::cout << "stored " << stored_ << ", duplicates " << duplicates_ << ", conflicts "
                  << conflicts_ << ", refused " << refused_;
        if (replaced_ > 0) std::cout << ", replaced " << replaced_;
        if (deferred_ > 0) std::cout << ", deferred " << deferred_;
        std::cout << "\n";
    }

    int exit_status() const { return refused_ > 0 ? 1 : deferred_ > 0 ? exit_temporary : 0; }

  private:
    void refuse(const std::string& name, const std::string& reason) {
        progress_.clear();
        std::cerr << tlsrpt::printable(name) << ": refused: " << tlsrpt::printable(reason) << "\n";
        ++refused_;
    }

    // Each report with its verdict; under --require-dkim (RFC 8460 §3) only authenticated
    // ones, and none of an item whose key lookup failed for now.
    void store_all(const std::string& name, const std::vector<tlsrpt::Report>& reports,
                   const std::vector<tlsrpt::DkimAssessment>& verdicts) {
        if (require_dkim_)
            for (const tlsrpt::DkimAssessment& a : verdicts)
                if (a.temporary) return defer(name, a.reason);
        for (std::size_t i = 0; i < reports.size(); ++i) {
            const tlsrpt::DkimAssessment& a = verdicts[i];
            if (require_dkim_ && !a.authenticated)
                refuse(name, "report-id '" + reports[i].report_id + "': " + a.reason);
            else
                store_one(name, reports[i], stored_verdict(a));
        }
    }

    // A key lookup failed for now (RFC 6376 §6.1.2): the item can be imported again later.
    void defer(const std::string& name, const std::string& reason) {
        progress_.clear();
        std::cerr << tlsrpt::printable(name)
                  << ": deferred (temporary, try again later): " << tlsrpt::printable(reason)
                  << "\n";
        ++deferred_;
    }

    void store_one(const std::string& name, const tlsrpt::Report& r, const st::DkimInfo& dkim) {
        const st::Outcome out = store_.store_report(r, {.source = st::Source::file, .dkim = dkim});
        switch (out.status) {
        case st::Status::stored:
            ++stored_;
            break;
        case st::Status::duplicate:
            ++duplicates_;
            break;
        case st::Status::conflict:
            progress_.clear();
            std::cerr << tlsrpt::printable(name) << ": conflict: " << tlsrpt::printable(out.message)
                      << "\n";
            ++conflicts_;
            break;
        case st::Status::replaced:
            progress_.clear();
            std::cerr << tlsrpt::printable(name) << ": replaced: " << tlsrpt::printable(out.message)
                      << "\n";
            ++replaced_;
            break;
        case st::Status::permanent:
            refuse(name, "database: " + out.message);
            break;
        case st::Status::temporary:
            // recorded for this input; the others are tried until the database is down
            defer(name, "database: " + out.message);
            if (++temporary_in_a_row_ >= kTemporaryInARow) throw TemporaryStop{out.message};
            return;
        }
        temporary_in_a_row_ = 0;
    }

    st::Store& store_;
    const tlsrpt::DkimVerifier& verifier_;
    const bool require_dkim_;
    tlsrpt::Limits limits_;
    Progress progress_;
    std::size_t items_ = 0, stored_ = 0, duplicates_ = 0, conflicts_ = 0, refused_ = 0;
    std::size_t replaced_ = 0, deferred_ = 0, temporary_in_a_row_ = 0;
};

} // namespace

int cmd_import(const Args& arguments) {
    Args args = arguments;
    const bool require_dkim = take_flag(args, "--require-dkim");
    const auto opts = parse_options(args, dkim_option_names(), "import");
    if (!opts) return 2;
    if (opts->help || opts->positional.empty()) {
        (opts->help ? std::cout : std::cerr) << import_usage;
        return opts->help ? 0 : 2;
    }
    const auto verifier = make_dkim_verifier(*opts, "import");
    if (!verifier) return 2;
    // a generous timeout: one report may carry up to Limits::max_failure_details entries
    st::Store store(opts->db, std::chrono::minutes(10));
    try {
        if (!schema_ready(store.schema_version())) return 1;
    } catch (...) {
        return db_failure("import");
    }
    Importer importer(store, *verifier, require_dkim);
    try {
        for (const std::string& path : opts->positional)
            tlsrpt::for_each_item(
                path, tlsrpt::Limits{}.max_message_size,
                [&](tlsrpt::SourceItem&& item) { importer.item(std::move(item)); });
    } catch (const TemporaryStop& stop) {
        importer.finish();
        std::cerr << "tlsrptctl import: stopped after " << kTemporaryInARow
                  << " temporary database failures in a row: " << stop.message
                  << "\nrun the same import again later; stored reports are skipped\n";
        return exit_temporary;
    }
    importer.finish();
    return importer.exit_status();
}

} // namespace tlsrptctl
