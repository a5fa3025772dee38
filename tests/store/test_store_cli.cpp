// test_store_cli.cpp: the built tlsrptctl against a real PostgreSQL: db migrate/status/prune,
// import of a Maildir and an mbox built here (twice: the second run stores nothing new), the
// DKIM verdict import records and --require-dkim, summary output, the quarantine commands
// (reimport stores only DKIM-authenticated reports unless --trust), and the shared corpus
// (../shared/corpus), whose distinct reports must each be stored once with the session totals
// EXPECTED.tsv gives. No DNS is needed: the resolver is 127.0.0.1:9, where nothing answers.
#define BOOST_TEST_MODULE store_cli
#include <boost/test/unit_test.hpp>

#include "store_test.hpp"
#include "tlsrpt/store.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

using storetest::Detail;
using storetest::ReportJson;
using storetest::run;
using storetest::sh;
using storetest::TempDir;
using storetest::TestDatabase;

namespace {

std::string ctl() {
    const std::string path = storetest::env("TLSRPT_CTL");
    if (path.empty()) throw std::runtime_error("TLSRPT_CTL is not set (meson test sets it)");
    return path;
}

storetest::CommandResult tlsrptctl(const TestDatabase& db, const std::string& args) {
    return run(sh(ctl()) + " " + args + " --db " + sh(db.conninfo()));
}

// DKIM options under which no key lookup can succeed (port 9: discard, nothing answers).
const std::string no_dns = " --resolver 127.0.0.1:9 --timeout 1";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

ReportJson report(const std::string& id, std::int64_t ok, std::int64_t failed) {
    ReportJson r;
    r.report_id = id;
    r.policies[0].successful = ok;
    r.policies[0].failed = failed;
    if (failed > 0) {
        Detail d;
        d.failed_session_count = failed;
        r.policies[0].details = {d};
    }
    return r;
}

// mboxrd (RFC 4155): a "From " separator per message, body lines starting ">*From " quoted.
std::string mbox(const std::vector<std::string>& messages) {
    std::string out;
    for (const std::string& m : messages) {
        out += "From noreply@mailer.example Mon Mar  2 04:00:00 2026\n";
        std::size_t pos = 0;
        while (pos < m.size()) {
            std::size_t eol = m.find('\n', pos);
            eol = eol == std::string::npos ? m.size() : eol + 1;
            const std::string line = m.substr(pos, eol - pos);
            const std::size_t gt = line.find_first_not_of('>');
            if (gt != std::string::npos && line.compare(gt, 5, "From ") == 0) out += '>';
            out += line;
            pos = eol;
        }
        out += "\n";
    }
    return out;
}

// Maildir: cur/ and new/ are read, tmp/ (deliveries in progress) is not; plus an mbox file.
void build_mailboxes(const TempDir& dir) {
    namespace fs = std::filesystem;
    for (const char* sub : {"Maildir/cur", "Maildir/new", "Maildir/tmp"})
        fs::create_directories(dir / sub);
    using storetest::report_message;
    using storetest::write_file;
    write_file(dir / "Maildir/cur/1.host:2,S",
               report_message(report("md-1", 90, 10).json(), "a@x"));
    write_file(dir / "Maildir/new/2.host", report_message(report("md-2", 50, 0).json(), "b@x"));
    write_file(dir / "Maildir/tmp/3.host", report_message(report("md-3", 1, 0).json(), "c@x"));
    write_file(dir / "Maildir/cur/4.host:2,S", "From: a@b\nSubject: hello\n\nnot a report\n");
    write_file(dir / "reports.mbox", mbox({report_message(report("mb-1", 30, 5).json(), "d@x"),
                                           report_message(report("mb-2", 20, 0).json(), "e@x"),
                                           report_message(report("md-1", 90, 10).json(), "a2@x")}));
}

} // namespace

BOOST_AUTO_TEST_CASE(db_migrate_and_status) {
    TestDatabase db("cli_migrate", false);
    auto r = tlsrptctl(db, "db status");
    BOOST_TEST(r.status == 1);
    BOOST_TEST(contains(r.out, "schema version 0"), r.out);
    r = tlsrptctl(db, "import /dev/null");
    BOOST_TEST(r.status == 1);
    BOOST_TEST(contains(r.err, "tlsrptctl db migrate"), r.err);
    r = tlsrptctl(db, "db migrate");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "applied 001_initial"), r.out);
    r = tlsrptctl(db, "db migrate");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "schema up to date"), r.out);
    r = tlsrptctl(db, "db status");
    BOOST_TEST(r.status == 0);
    BOOST_TEST(contains(r.out, "up to date"), r.out);
    BOOST_TEST(!contains(r.out, "warning"), r.out);
    BOOST_TEST(tlsrptctl(db, "db frobnicate").status == 2);
    BOOST_TEST(tlsrptctl(db, "db prune").status == 2);
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_is_a_temporary_failure) {
    const auto r = run(sh(ctl()) + " import /dev/null --db 'host=127.0.0.1 port=1'");
    BOOST_TEST(r.status == 75, r.err);
    BOOST_TEST(contains(r.err, "temporary"), r.err);
    BOOST_TEST(run(sh(ctl()) + " import /dev/null --db 'port'").status == 1);
}

BOOST_AUTO_TEST_CASE(import_a_maildir_and_an_mbox_twice) {
    TestDatabase db("cli_import");
    TempDir dir;
    build_mailboxes(dir);
    const std::string paths = sh(dir / "Maildir") + " " + sh(dir / "reports.mbox");
    auto r = tlsrptctl(db, "import " + paths);
    BOOST_TEST(r.status == 1); // the non-report message is refused
    BOOST_TEST(r.out == "stored 4, duplicates 1, conflicts 0, refused 1\n", r.out);
    BOOST_TEST(contains(r.err, "Maildir/cur/4.host:2,S: refused: "), r.err);
    BOOST_TEST(!contains(r.err, "\r"));
    BOOST_TEST(db.value("SELECT string_agg(report_id, ',' ORDER BY report_id) FROM "
                        "tlsrpt.reports") == "mb-1,mb-2,md-1,md-2");
    BOOST_TEST(db.value("SELECT concat_ws('|', source, message_id, tls_report_domain, "
                        "dkim_result, dkim_source, dkim_authenticated) FROM "
                        "tlsrpt.reports WHERE report_id = 'mb-1'") ==
               "file|<d@x>|receiver.example|none|tlsrptctl|f");
    r = tlsrptctl(db, "import " + paths);
    BOOST_TEST(r.out == "stored 0, duplicates 5, conflicts 0, refused 1\n", r.out);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports") == 4);

    r = tlsrptctl(db, "summary");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "last 7 days"), r.out);
    BOOST_TEST(contains(r.out, "policy domain"), r.out);
    // 4 reports, 190 successful and 15 failed sessions: 92.68 %
    BOOST_TEST(contains(r.out, "reports authenticated   successful"), r.out);
    BOOST_TEST(contains(r.out, "receiver.example                        4             0"
                               "          190         15   92.68%  certificate-expired 15"),
               r.out);
    r = tlsrptctl(db, "summary --domain other.example --days 3");
    BOOST_TEST(contains(r.out, "no reports"), r.out);
    BOOST_TEST(tlsrptctl(db, "summary --days soon").status == 2);
}

BOOST_AUTO_TEST_CASE(db_prune_removes_old_reports) {
    TestDatabase db("cli_prune");
    TempDir dir;
    ReportJson old_report = report("old", 1, 0), recent = report("recent", 1, 0);
    old_report.day = storetest::utc_day(45);
    storetest::write_file(dir / "old.json", old_report.json());
    storetest::write_file(dir / "recent.json", recent.json());
    BOOST_REQUIRE(tlsrptctl(db, "import " + sh(dir.path())).status == 0);
    const auto r = tlsrptctl(db, "db prune --older-than 30");
    BOOST_TEST(r.status == 0, r.err);
    // 45 days back may be in a whole month before the cutoff (dropped as partitions) or not
    const std::string removed = "removed 1 reports older than 30 days (1 policies, 0 failure "
                                "details, 0 conflicting copies); kept 0 rejected messages as "
                                "old (--rejected removes them)\n";
    BOOST_TEST((r.out == removed || (r.out.rfind("dropped the partitions of 1 month: ", 0) == 0 &&
                                     r.out.find("\n" + removed) != std::string::npos)),
               r.out);
    const auto with = tlsrptctl(db, "db prune --older-than 30 --rejected");
    BOOST_TEST(with.out == "removed 0 reports older than 30 days (0 policies, 0 failure details, "
                           "0 conflicting copies) and 0 rejected messages\n",
               with.out);
    BOOST_TEST(db.value("SELECT string_agg(report_id, ',') FROM tlsrpt.reports") == "recent");
}

// A report message with a DKIM-Signature of the reporter's domain: its key lookup cannot
// succeed without DNS, so it is a temperror, a temporary failure (RFC 6376 §6.1.2).
std::string signed_message(const std::string& json, const std::string& message_id) {
    return "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailer.example; s=sel1;\n"
           " h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n"
           " b=dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdA==\n" +
           storetest::report_message(json, message_id);
}

BOOST_AUTO_TEST_CASE(import_records_the_dkim_verdict_and_require_dkim_refuses) {
    TestDatabase db("cli_dkim"), strict("cli_dkim_strict");
    TempDir dir;
    storetest::write_file(dir / "1-bare.json", report("dk-bare", 5, 0).json());
    storetest::write_file(dir / "2-unsigned.eml",
                          storetest::report_message(report("dk-unsigned", 5, 0).json(), "u@x"));
    storetest::write_file(dir / "3-signed.eml",
                          signed_message(report("dk-signed", 5, 0).json(), "s@x"));
    // without --require-dkim nothing is refused for DKIM; the verdict is stored
    auto r = tlsrptctl(db, "import " + sh(dir.path()) + no_dns);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "stored 3, duplicates 0, conflicts 0, refused 0\n", r.out);
    BOOST_TEST(db.value("SELECT string_agg(concat_ws('|', report_id, dkim_result, dkim_domain, "
                        "dkim_selector, dkim_algorithm, dkim_source, dkim_authenticated), ';' "
                        "ORDER BY report_id) FROM tlsrpt.reports") ==
               "dk-bare|none|tlsrptctl|f;dk-signed|temperror|mailer.example|sel1|rsa-sha256|"
               "tlsrptctl|f;dk-unsigned|none|tlsrptctl|f");
    // --require-dkim: the unsigned ones are refused, the signed one waits for DNS
    r = tlsrptctl(strict, "import --require-dkim " + sh(dir.path()) + no_dns);
    BOOST_TEST(r.status == 1, r.err);
    BOOST_TEST(r.out == "stored 0, duplicates 0, conflicts 0, refused 2, deferred 1\n", r.out);
    BOOST_TEST(contains(r.err, "1-bare.json: refused: report-id 'dk-bare': "), r.err);
    BOOST_TEST(contains(r.err, "2-unsigned.eml: refused: report-id 'dk-unsigned': "), r.err);
    BOOST_TEST(contains(r.err, "no DKIM signature"), r.err);
    BOOST_TEST(contains(r.err, "3-signed.eml: deferred (temporary"), r.err);
    BOOST_TEST(strict.count("SELECT count(*) FROM tlsrpt.reports") == 0);
    // only temporary failures: exit 75, run it again later
    r = tlsrptctl(strict, "import --require-dkim " + sh(dir / "3-signed.eml") + no_dns);
    BOOST_TEST(r.status == 75, r.err);
    BOOST_TEST(tlsrptctl(db, "import --timeout 0 " + sh(dir.path())).status == 2);
    BOOST_TEST(contains(tlsrptctl(db, "import --help").out, "--require-dkim"));
}

BOOST_AUTO_TEST_CASE(rejected_list_show_and_reimport) {
    TestDatabase db("cli_rejected");
    const std::string message =
        storetest::report_message(report("q-1", 5, 1).json(), "quarantined@mailer.example");
    tlsrpt::MessageHeaders h;
    h.from = "noreply@mailer.example";
    h.subject = "a report the reader once refused";
    tlsrpt::store::Store store(db.conninfo());
    const auto q =
        store.quarantine(message, "invalid: test reason", h, tlsrpt::store::Source::smtp);
    BOOST_REQUIRE(q.status == tlsrpt::store::Status::stored);
    const std::string id = std::to_string(q.report_pk);

    auto r = tlsrptctl(db, "rejected list");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "invalid: test reason"), r.out);
    BOOST_TEST(contains(r.out, "a report the reader once refused"), r.out);
    r = tlsrptctl(db, "rejected show " + id);
    BOOST_TEST(r.out == message);
    // unsigned: RFC 8460 §3 says ignore it, so reimport refuses it and keeps it quarantined
    r = tlsrptctl(db, "rejected reimport " + id + no_dns);
    BOOST_TEST(r.status == 1, r.err);
    BOOST_TEST(contains(r.err, "report-id 'q-1': refused: DKIM: none: "), r.err);
    BOOST_TEST(contains(r.err, "no DKIM signature"), r.err);
    BOOST_TEST(r.out == "stored 0, duplicates 0, conflicts 0, refused 1\n", r.out);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports WHERE report_id = 'q-1'") == 0);
    BOOST_TEST(contains(tlsrptctl(db, "rejected list").out, " no "));
    r = tlsrptctl(db, "rejected reimport " + id + " --trust" + no_dns);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "report-id 'q-1': DKIM: none: "), r.out);
    BOOST_TEST(contains(r.out, "stored anyway because of --trust\n"), r.out);
    BOOST_TEST(contains(r.out, "\nstored 1, duplicates 0, conflicts 0\n"), r.out);
    BOOST_TEST(db.value("SELECT concat_ws('|', source, dkim_result, dkim_source, "
                        "dkim_authenticated) FROM tlsrpt.reports WHERE report_id = 'q-1'") ==
               "smtp|none|tlsrptctl|f");
    r = tlsrptctl(db, "rejected list");
    BOOST_TEST(contains(r.out, " yes "), r.out);
    r = tlsrptctl(db, "rejected reimport --trust " + id + no_dns);
    BOOST_TEST(contains(r.out, "stored 0, duplicates 1, conflicts 0\n"), r.out);
    BOOST_TEST(tlsrptctl(db, "rejected show 999999").status == 1);
    BOOST_TEST(tlsrptctl(db, "rejected show x").status == 2);
}

namespace {

struct Expected {
    std::string name, expect, id;
    int reports = 0;
    std::int64_t policies = 0, success = 0, failure = 0, details = 0, detail_sessions = 0;
};

std::vector<Expected> read_expected(const std::string& path) {
    std::vector<Expected> rows;
    std::istringstream in(storetest::read_file(path));
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::size_t pos = 0;
        for (std::size_t tab; (tab = line.find('\t', pos)) != std::string::npos; pos = tab + 1)
            f.push_back(line.substr(pos, tab - pos));
        f.push_back(line.substr(pos));
        if (f.size() < 9) continue;
        rows.push_back({f[0], f[1], f[3], std::stoi(f[2]), std::stoll(f[4]), std::stoll(f[5]),
                        std::stoll(f[6]), std::stoll(f[7]), std::stoll(f[8])});
    }
    // the order tlsrptctl walks a directory in: by name
    std::sort(rows.begin(), rows.end(),
              [](const Expected& a, const Expected& b) { return a.name < b.name; });
    return rows;
}

// organization-name|report-id -> "policies success failure details detail_sessions"
std::map<std::string, std::string> stored_totals(const TestDatabase& db) {
    pqxx::connection conn(db.conninfo());
    pqxx::read_transaction tx(conn);
    std::map<std::string, std::string> out;
    const auto res = tx.exec(
        "SELECT coalesce(r.organization_name, '') || '|' || r.report_id, "
        "concat_ws(' ', (SELECT count(*) FROM tlsrpt.policies p WHERE p.report_pk = r.id), "
        "(SELECT coalesce(sum(total_successful_session_count), 0) FROM tlsrpt.policies p "
        "WHERE p.report_pk = r.id), (SELECT coalesce(sum(total_failure_session_count), 0) FROM "
        "tlsrpt.policies p WHERE p.report_pk = r.id), (SELECT count(*) FROM "
        "tlsrpt.failure_details f JOIN tlsrpt.policies p ON p.id = f.policy_pk WHERE "
        "p.report_pk = r.id), (SELECT coalesce(sum(failed_session_count), 0) FROM "
        "tlsrpt.failure_details f JOIN tlsrpt.policies p ON p.id = f.policy_pk WHERE "
        "p.report_pk = r.id)) FROM tlsrpt.reports r");
    for (const auto& row : res) // a second row with the same key shows up as a mismatch
        out[row[0].as<std::string>()] += row[1].as<std::string>();
    return out;
}

std::string totals(const Expected& e) {
    return std::to_string(e.policies) + " " + std::to_string(e.success) + " " +
           std::to_string(e.failure) + " " + std::to_string(e.details) + " " +
           std::to_string(e.detail_sessions);
}

} // namespace

BOOST_AUTO_TEST_CASE(the_shared_corpus_is_stored_once_per_distinct_report) {
    const std::string corpus =
        storetest::env("TLSRPT_SHARED_DIR", TLSRPT_DEFAULT_SHARED_DIR) + "/corpus";
    if (!std::filesystem::is_directory(corpus + "/files")) {
        BOOST_TEST_MESSAGE("no corpus at " << corpus << ": nothing to check (passes)");
        BOOST_TEST(true);
        return;
    }
    TestDatabase db("cli_corpus");
    auto r = tlsrptctl(db, "import " + sh(corpus + "/files") + no_dns);
    BOOST_TEST(r.status == 1); // the corpus holds inputs that must be refused
    const auto rows = read_expected(corpus + "/EXPECTED.tsv");
    // first copy in walk order wins; an "either" row counts when it was not refused
    std::map<std::string, std::string> expected;
    for (const Expected& e : rows) {
        BOOST_TEST_CONTEXT(e.name) {
            const bool refused = contains(r.err, "/" + e.name + ": refused: ");
            if (e.expect == "reject") BOOST_TEST(refused, e.name << " was not refused");
            if (e.expect == "accept") BOOST_TEST(!refused, r.err);
            if (e.expect == "reject" || refused || e.reports != 1) continue;
            expected.emplace(e.id, totals(e)); // keeps the first
        }
    }
    const auto stored = stored_totals(db);
    for (const auto& [id, t] : expected) {
        BOOST_TEST_CONTEXT(id) {
            const auto it = stored.find(id);
            BOOST_TEST((it != stored.end()), id << " was not stored");
            if (it != stored.end()) BOOST_TEST(it->second == t);
        }
    }
    BOOST_TEST(stored.size() == expected.size());
    BOOST_TEST(contains(r.out, "stored " + std::to_string(stored.size()) + ","), r.out);
    BOOST_TEST_MESSAGE("corpus: " << r.out);

    const std::int64_t before = db.count("SELECT count(*) FROM tlsrpt.reports");
    r = tlsrptctl(db, "import " + sh(corpus + "/files") + no_dns);
    BOOST_TEST(contains(r.out, "stored 0,"), r.out);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports") == before);
}

// A temporary failure of one input (here: its key is locked by another session until
// lock_timeout) is named as deferred and the import carries on with the others; exit 75, and
// the next run stores what was deferred.
BOOST_AUTO_TEST_CASE(import_defers_a_temporary_failure_and_carries_on) {
    TestDatabase db("defer");
    TempDir dir;
    for (const char* id : {"defer-a", "defer-b", "defer-c"})
        storetest::write_file(dir / (std::string(id) + ".json"), report(id, 5, 0).json());
    pqxx::connection locker(db.conninfo());
    pqxx::work hold(locker);
    // the key includes the report day (009_partitioning.sql): the report's own day
    const std::string day = "'" + storetest::utc_day(1) + "'";
    hold.exec0("INSERT INTO tlsrpt.reports (reporter, report_id, start_datetime, end_datetime, "
               "source, content_hash, day) VALUES ('mailer.example', 'defer-b', " +
               day + ", " + day + ", 'file', 'x', " + day + ")");
    const auto first = run("PGOPTIONS='-c lock_timeout=300' " + sh(ctl()) + " import " +
                           sh(dir.path()) + no_dns + " --db " + sh(db.conninfo()));
    BOOST_TEST(first.status == 75, first.err);
    BOOST_TEST(contains(first.err, "defer-b.json: deferred (temporary, try again later)"),
               first.err);
    BOOST_TEST(contains(first.out, "stored 2,"), first.out);
    hold.abort();
    const auto second = tlsrptctl(db, "import " + sh(dir.path()) + no_dns);
    BOOST_TEST(second.status == 0, second.err);
    BOOST_TEST(contains(second.out, "stored 1, duplicates 2"), second.out);
}
