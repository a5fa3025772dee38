// test_store_migrate_corpus.cpp: migration 009 converts a populated unpartitioned database in
// place, on the shared corpus (../shared/corpus, issue 15). The corpus is stored by this build
// (tlsrptctl import), the rows of the tables 009 converts (and report_conflicts, which points
// into them) are copied into a database at schema 008, the last one without partitions, and
// that database is migrated: those rows, every dashboard view's figures and the dedup
// behaviour (importing the corpus again stores nothing) must come out as in the database that
// stored them. psql moves the rows (COPY), as an operator would.
#define BOOST_TEST_MODULE store_migrate_corpus
#include <boost/test/unit_test.hpp>

#include "store_test.hpp"
#include "tlsrpt/store.hpp"

#include <filesystem>

using storetest::run;
using storetest::sh;
using storetest::TestDatabase;
using tlsrpt::store::migrate;

namespace {

// The tables 009 partitions (and the one that points into them), parents first.
const char* const tables[] = {"reports", "policies", "failure_details", "report_conflicts"};

std::string ctl() {
    const std::string path = storetest::env("TLSRPT_CTL");
    if (path.empty()) throw std::runtime_error("TLSRPT_CTL is not set (meson test sets it)");
    return path;
}

storetest::CommandResult import_corpus(const TestDatabase& db, const std::string& corpus) {
    // no DNS: the resolver is 127.0.0.1:9, where nothing answers
    return run(sh(ctl()) + " import " + sh(corpus + "/files") +
               " --resolver 127.0.0.1:9 --timeout 1 --db " + sh(db.conninfo()));
}

// The columns `table` has in `db` (not generated ones), in order, comma-separated.
std::string columns(const TestDatabase& db, const std::string& table) {
    return db.value("SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) "
                    "FROM information_schema.columns WHERE table_schema = 'tlsrpt' AND "
                    "table_name = '" +
                    table + "' AND is_generated = 'NEVER'");
}

// Copies `table`'s rows (the columns `cols`) from one database into the other, ids kept.
void copy_rows(const TestDatabase& from, const TestDatabase& to, const std::string& table,
               const std::string& cols) {
    const std::string out =
        "\\copy (SELECT " + cols + " FROM tlsrpt." + table + " ORDER BY id) TO STDOUT";
    const std::string in = "\\copy tlsrpt." + table + " (" + cols + ") FROM STDIN";
    const auto r =
        run("bash -o pipefail -c " +
            sh("psql -X -q -v ON_ERROR_STOP=1 -d " + sh(from.name()) + " -c " + sh(out) +
               " | psql -X -q -v ON_ERROR_STOP=1 -d " + sh(to.name()) + " -c " + sh(in)));
    BOOST_REQUIRE_MESSAGE(r.status == 0, table << ": " << r.err);
    to.exec("SELECT setval(pg_get_serial_sequence('tlsrpt." + table + "', 'id'), " +
            "(SELECT coalesce(max(id), 0) + 1 FROM tlsrpt." + table + "), false)");
}

// Every row of `table` over `cols`, as one digest.
std::string digest(const TestDatabase& db, const std::string& table, const std::string& cols) {
    return db.value("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY "
                    "t.id)), '') FROM (SELECT " +
                    cols + " FROM tlsrpt." + table + ") t");
}

// A dashboard view's every row, as one digest.
std::string view_digest(const TestDatabase& db, const std::string& view) {
    return db.value("SELECT count(*) || ':' || coalesce(md5(string_agg(v::text, '|' ORDER BY "
                    "v::text)), '') FROM tlsrpt." +
                    view + " v");
}

} // namespace

BOOST_AUTO_TEST_CASE(migration_009_converts_a_database_holding_the_corpus) {
    const std::string corpus =
        storetest::env("TLSRPT_SHARED_DIR", TLSRPT_DEFAULT_SHARED_DIR) + "/corpus";
    BOOST_REQUIRE_MESSAGE(std::filesystem::is_directory(corpus + "/files"),
                          "no corpus at " << corpus << " (TLSRPT_SHARED_DIR)");
    TestDatabase source("mig_source");
    import_corpus(source, corpus); // exit 1: the corpus holds inputs that must be refused
    const std::int64_t reports = source.count("SELECT count(*) FROM tlsrpt.reports");
    BOOST_REQUIRE(reports >= 10);
    BOOST_REQUIRE(source.count("SELECT count(*) FROM tlsrpt.failure_details") > 0);

    TestDatabase target("mig_target", false);
    {
        pqxx::connection conn(target.conninfo());
        BOOST_REQUIRE(migrate(conn, 8).after == 8);
    }
    BOOST_REQUIRE(target.value("SELECT relkind FROM pg_class WHERE oid = "
                               "'tlsrpt.reports'::regclass") == "r"); // not partitioned yet
    std::map<std::string, std::string> cols, before;
    for (const std::string table : tables) {
        cols[table] = columns(target, table);
        copy_rows(source, target, table, cols[table]);
        before[table] = digest(target, table, cols[table]);
        BOOST_TEST(before[table] == digest(source, table, cols[table]), table);
    }
    {
        pqxx::connection conn(target.conninfo());
        BOOST_REQUIRE(migrate(conn).after == tlsrpt::store::expected_schema_version());
    }
    BOOST_TEST(target.value("SELECT relkind FROM pg_class WHERE oid = "
                            "'tlsrpt.reports'::regclass") == "p");
    for (const std::string table : tables)
        BOOST_TEST(digest(target, table, cols[table]) == before[table], table);
    // the rows are where the store puts them: the monthly partitions, and as many in the
    // default ones (days outside the partition window) as in the database that stored them
    BOOST_TEST(target.count("SELECT count(*) FROM tlsrpt.reports_default") ==
               source.count("SELECT count(*) FROM tlsrpt.reports_default"));
    for (const std::string view :
         {"daily_sessions", "daily_failures", "daily_summary", "report_sessions",
          "failure_sessions", "daily_reporters", "daily_quirks", "reporters"})
        BOOST_TEST(view_digest(target, view) == view_digest(source, view), view);

    // the dedup key holds across the conversion: the corpus again stores nothing new
    const auto again = import_corpus(target, corpus);
    BOOST_TEST(again.out.find("stored 0,") != std::string::npos, again.out);
    BOOST_TEST(target.count("SELECT count(*) FROM tlsrpt.reports") == reports);
    for (const std::string table : tables)
        BOOST_TEST(digest(target, table, cols[table]) == before[table], table);
}
