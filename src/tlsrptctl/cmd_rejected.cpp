// cmd_rejected.cpp: `tlsrptctl rejected list|show ID|reimport ID`: the messages the milter
// quarantined because no report could be read from them. reimport reads the kept message
// through the pipeline again (e.g. after a reader fix), verifies its DKIM signatures again
// (item_dkim.hpp) and stores, as source smtp, only the reports with an aligned DKIM pass (RFC
// 8460 §3: the others "MUST be ignored"), unless --trust says to store them regardless.
#include "cmd_store.hpp"
#include "dkim_options.hpp"
#include "item_dkim.hpp"

#include "store/admin.hpp"
#include "store/migrations.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/store.hpp"
#include "tlsrpt/text.hpp"

#include <charconv>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace tlsrptctl {

namespace {

namespace st = tlsrpt::store;

const char* rejected_usage =
    "usage: tlsrptctl rejected list [--db CONNINFO]\n"
    "       tlsrptctl rejected show ID [--db CONNINFO]\n"
    "       tlsrptctl rejected reimport ID [--db CONNINFO] [--trust]\n"
    "                 [--resolver system|IP[:PORT]] [--trust-anchor FILE] [--timeout S]\n"
    "  reimport stores only DKIM-authenticated reports (RFC 8460 section 3);\n"
    "  --trust stores them regardless, with the verdict found\n";

// What one reimport did, by outcome.
struct Counts {
    int stored = 0, duplicates = 0, conflicts = 0, replaced = 0, refused = 0;
    bool temporary = false; // a key lookup failed for now

    void count(st::Status s) {
        stored += s == st::Status::stored;
        duplicates += s == st::Status::duplicate;
        conflicts += s == st::Status::conflict;
        replaced += s == st::Status::replaced;
    }
    void print() const {
        std::cout << "stored " << stored << ", duplicates " << duplicates << ", conflicts "
                  << conflicts;
        if (replaced > 0) std::cout << ", replaced " << replaced;
        if (refused > 0) std::cout << ", refused " << refused;
        std::cout << "\n";
    }
};

// A positive message id, or 0.
std::int64_t parse_id(const std::string& text) {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    return ec != std::errc() || end != text.data() + text.size() || id < 0 ? 0 : id;
}

int do_list(pqxx::connection& conn) {
    const auto rows = st::list_rejected(conn);
    if (rows.empty()) {
        std::cout << "no rejected messages\n";
        return 0;
    }
    std::printf("%-8s %-19s %-10s %-40s %-30s %s\n", "id", "received (UTC)", "reimported", "reason",
                "from", "subject");
    for (const auto& m : rows)
        std::printf("%-8lld %-19s %-10s %-40s %-30s %s\n", static_cast<long long>(m.id),
                    m.received_at.c_str(), m.reimported ? "yes" : "no",
                    tlsrpt::printable(m.reason).c_str(), tlsrpt::printable(m.mail_from).c_str(),
                    tlsrpt::printable(m.subject).c_str());
    std::fflush(stdout);
    return 0;
}

int do_show(pqxx::connection& conn, std::int64_t id) {
    const auto raw = st::rejected_raw(conn, id);
    if (!raw) {
        std::cerr << "tlsrptctl rejected: no rejected message " << id << "\n";
        return 1;
    }
    // the exact bytes into a pipe or file; to a terminal, no escape sequence of the sender's
    const std::string shown = isatty(STDOUT_FILENO) == 1 ? tlsrpt::printable(*raw, true) : *raw;
    std::cout.write(shown.data(), static_cast<std::streamsize>(shown.size()));
    std::cout.flush();
    return 0;
}

// Whether the report with verdict `a` is to be stored, saying why (or why not).
bool admit(const tlsrpt::DkimAssessment& a, const std::string& prefix, bool trust, Counts& counts) {
    if (a.authenticated) {
        std::cout << prefix << tlsrpt::printable(describe_verdict(a)) << "\n";
        return true;
    }
    if (trust) {
        std::cout << prefix << tlsrpt::printable(describe_verdict(a))
                  << "; stored anyway because of --trust\n";
        return true;
    }
    if (a.temporary) {
        std::cerr << prefix << "deferred (temporary, try again later): "
                  << tlsrpt::printable(describe_verdict(a)) << "\n";
        counts.temporary = true;
        return false;
    }
    std::cerr << prefix << "refused: " << tlsrpt::printable(describe_verdict(a))
              << " (--trust stores it anyway)\n";
    ++counts.refused;
    return false;
}

int do_reimport(const Options& opts, pqxx::connection& conn, std::int64_t id, bool trust) {
    const auto raw = st::rejected_raw(conn, id);
    if (!raw) {
        std::cerr << "tlsrptctl rejected: no rejected message " << id << "\n";
        return 1;
    }
    auto reports = tlsrpt::read_reports(*raw, tlsrpt::Limits{});
    if (!reports) {
        std::cerr << "rejected message " << id
                  << ": still refused: " << tlsrpt::printable(reports.error().describe()) << "\n";
        return 1;
    }
    const auto verifier = make_dkim_verifier(opts, "rejected reimport");
    if (!verifier) return 2;
    const auto verdicts = item_verdicts(*verifier, *raw, *reports);
    st::Store store(opts.db, std::chrono::minutes(10));
    Counts counts;
    for (std::size_t i = 0; i < reports->size(); ++i) {
        const tlsrpt::Report& r = (*reports)[i];
        const std::string prefix =
            "rejected message " + std::to_string(id) + ": report-id '" + r.report_id + "': ";
        if (!admit(verdicts[i], prefix, trust, counts)) continue;
        const st::Outcome out = store.store_report(
            r, {.source = st::Source::smtp, .dkim = stored_verdict(verdicts[i])});
        counts.count(out.status);
        if (!out.message.empty())
            std::cerr << prefix << st::to_string(out.status) << ": "
                      << tlsrpt::printable(out.message) << "\n";
        if (!out.ok()) return out.status == st::Status::temporary ? exit_temporary : 1;
    }
    if (counts.refused == 0 && !counts.temporary) st::mark_reimported(conn, id);
    counts.print();
    return counts.refused > 0 ? 1 : counts.temporary ? exit_temporary : 0;
}

} // namespace

int cmd_rejected(const Args& arguments) {
    Args args = arguments;
    const bool trust = take_flag(args, "--trust");
    const auto opts = parse_options(args, dkim_option_names(), "rejected");
    if (!opts) return 2;
    const auto& pos = opts->positional;
    const std::string action = pos.empty() ? "" : pos[0];
    const bool with_id = action == "show" || action == "reimport";
    const std::int64_t id = with_id && pos.size() == 2 ? parse_id(pos[1]) : 0;
    if (opts->help || !(action == "list" ? pos.size() == 1 : with_id && id > 0)) {
        (opts->help ? std::cout : std::cerr) << rejected_usage;
        return opts->help ? 0 : 2;
    }
    try {
        auto conn = open_db(opts->db);
        if (!schema_ready(st::schema_version(*conn))) return 1;
        if (action == "list") return do_list(*conn);
        if (action == "show") return do_show(*conn, id);
        return do_reimport(*opts, *conn, id, trust);
    } catch (...) {
        return db_failure("rejected " + action);
    }
}

} // namespace tlsrptctl
