// cmd_import.cpp: `tlsrptctl import [--db CONNINFO] PATH...`: reads every item under PATH
// (files, directories, Maildirs, mbox) through the pipeline and stores each report with
// source "file", one transaction per report; already-stored reports count as duplicates.
// Exit 0 when nothing was refused, 1 when some input was, 75 when the database failed in a
// way retrying can cure (the import stops there; running it again resumes it).
#include "cmd_store.hpp"

#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/sources.hpp"
#include "tlsrpt/store.hpp"

#include <iostream>
#include <unistd.h>

namespace tlsrptctl {

namespace {

namespace st = tlsrpt::store;

const char* import_usage = "usage: tlsrptctl import [--db CONNINFO] PATH...\n";

// Thrown out of the item callback to stop the walk on a temporary database failure.
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
    explicit Importer(st::Store& store) : store_(store) {}

    void item(tlsrpt::SourceItem&& item) {
        progress_.show(++items_);
        if (!item.read_error.empty()) return refuse(item.name, item.read_error);
        auto reports = tlsrpt::read_reports(item.bytes, limits_);
        if (!reports) return refuse(item.name, reports.error().describe());
        for (const tlsrpt::Report& r : *reports)
            store_one(item.name, r);
    }

    void finish() {
        progress_.clear();
        std::cout << "stored " << stored_ << ", duplicates " << duplicates_ << ", conflicts "
                  << conflicts_ << ", refused " << refused_ << "\n";
    }

    bool refused_any() const { return refused_ > 0; }

  private:
    void refuse(const std::string& name, const std::string& reason) {
        progress_.clear();
        std::cerr << name << ": refused: " << reason << "\n";
        ++refused_;
    }

    void store_one(const std::string& name, const tlsrpt::Report& r) {
        const st::Outcome out = store_.store_report(r, {st::Source::file, {}});
        switch (out.status) {
        case st::Status::stored:
            ++stored_;
            break;
        case st::Status::duplicate:
            ++duplicates_;
            break;
        case st::Status::conflict:
            progress_.clear();
            std::cerr << name << ": conflict: " << out.message << "\n";
            ++conflicts_;
            break;
        case st::Status::permanent:
            refuse(name, "database: " + out.message);
            break;
        case st::Status::temporary:
            throw TemporaryStop{name + ": " + out.message};
        }
    }

    st::Store& store_;
    tlsrpt::Limits limits_;
    Progress progress_;
    std::size_t items_ = 0, stored_ = 0, duplicates_ = 0, conflicts_ = 0, refused_ = 0;
};

} // namespace

int cmd_import(const Args& args) {
    const auto opts = parse_options(args, {}, "import");
    if (!opts) return 2;
    if (opts->help || opts->positional.empty()) {
        (opts->help ? std::cout : std::cerr) << import_usage;
        return opts->help ? 0 : 2;
    }
    // a generous timeout: one report may carry up to Limits::max_failure_details entries
    st::Store store(opts->db, std::chrono::minutes(10));
    try {
        if (!schema_ready(store.schema_version())) return 1;
    } catch (...) {
        return db_failure("import");
    }
    Importer importer(store);
    try {
        for (const std::string& path : opts->positional)
            tlsrpt::for_each_item(
                path, tlsrpt::Limits{}.max_message_size,
                [&](tlsrpt::SourceItem&& item) { importer.item(std::move(item)); });
    } catch (const TemporaryStop& stop) {
        importer.finish();
        std::cerr << "tlsrptctl import: stopped, the database failed: " << stop.message
                  << "\nrun the same import again later; stored reports are skipped\n";
        return exit_temporary;
    }
    importer.finish();
    return importer.refused_any() ? 1 : 0;
}

} // namespace tlsrptctl
