// cmd_import.cpp: `tlsrptctl import [--db CONNINFO] [--require-dkim] PATH...`: reads every
// item under PATH (files, directories, Maildirs, mbox) through the pipeline and stores each
// report with source "file", one transaction per report; already-stored reports count as
// duplicates. Every report's DKIM verdict (RFC 8460 §3, item_dkim.hpp) is stored with it;
// archived mail often fails verification later (rotated keys), so only --require-dkim refuses
// reports that are not authenticated, and defers an item whose key lookup failed for now.
// Exit 0 when nothing was refused, 1 when some input was, 75 when only temporary failures
// stood in the way: the database (that input is named as deferred and the others are tried;
// after three in a row the import stops; running it again resumes it) or, under
// --require-dkim, DNS (that item is skipped). An imap:// or imaps:// URL goes to cmd_imap.cpp.
#include "cmd_store.hpp"
#include "dkim_options.hpp"
#include "imap_protocol.hpp"
#include "item_dkim.hpp"
#include "item_import.hpp"

#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/sources.hpp"
#include "tlsrpt/store.hpp"

#include <iostream>

namespace tlsrptctl {

namespace {

namespace st = tlsrpt::store;

const char* import_usage =
    "usage: tlsrptctl import [--db CONNINFO] [--require-dkim] [--resolver system|IP[:PORT]]\n"
    "                        [--trust-anchor FILE] [--timeout S] PATH...\n"
    "  every report's DKIM verdict is stored; --require-dkim refuses reports without an\n"
    "  aligned DKIM pass (RFC 8460 section 3) and skips items whose key lookup failed for now\n";

// Thrown out of the item callback to stop the walk when the database keeps failing.
struct TemporaryStop {};

} // namespace

int cmd_import(const Args& arguments) {
    for (const std::string& a : arguments)
        if (imap::is_imap_url(a)) return cmd_import_imap(arguments);
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
    Progress progress;
    ItemImporter importer(store, *verifier, {st::Source::file, require_dkim, false}, progress);
    std::size_t items = 0;
    const auto finish = [&] {
        progress.clear();
        importer.summary(std::cout);
        std::cout << "\n";
    };
    try {
        for (const std::string& path : opts->positional)
            tlsrpt::for_each_item(path, tlsrpt::Limits{}.max_message_size,
                                  [&](tlsrpt::SourceItem&& item) {
                                      if (++items % 50 == 0)
                                          progress.show(std::to_string(items) + " items read");
                                      if (!item.read_error.empty())
                                          importer.refuse(item.name, item.read_error);
                                      else
                                          importer.import(item.name, item.bytes);
                                      if (importer.database_down()) throw TemporaryStop{};
                                  });
    } catch (const TemporaryStop&) {
        finish();
        std::cerr << "tlsrptctl import: stopped after " << ItemImporter::kTemporaryInARow
                  << " temporary database failures in a row"
                  << "\nrun the same import again later; stored reports are skipped\n";
        return exit_temporary;
    }
    finish();
    return importer.exit_status();
}

} // namespace tlsrptctl
