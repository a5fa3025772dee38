// test_store_restart.cpp: the PostgreSQL server stopped in the middle of store_report (tests/
// pg.sh stop ... immediate, a crash): the call answers Status::temporary, nothing of the
// report is left half-written, calls while the server is down answer temporary, and after
// the restart the same Store reconnects by itself and stores. Stops the shared test cluster,
// so meson runs it alone (is_parallel: false); the cluster is started again even on failure.
#define BOOST_TEST_MODULE store_restart
#include <boost/test/unit_test.hpp>

#include "store_test.hpp"
#include "tlsrpt/store.hpp"

#include <future>
#include <thread>

using namespace tlsrpt::store;
using storetest::Detail;
using storetest::ReportJson;
using storetest::TestDatabase;

namespace {

// Stops and starts the test cluster with tests/pg.sh; restarts it in its destructor when a
// test left it stopped, and waits until it accepts connections.
class Cluster {
  public:
    Cluster()
        : pg_sh_(storetest::env("TLSRPT_SOURCE_DIR", TLSRPT_DEFAULT_SOURCE_DIR) + "/tests/pg.sh"),
          dir_(storetest::env("TLSRPT_TEST_PGDIR")), port_(storetest::env("PGPORT", "5432")) {}
    ~Cluster() {
        if (stopped_) start();
    }
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    bool known() const { return !dir_.empty(); }
    void stop_immediately() {
        stopped_ = true;
        shell("bash " + storetest::sh(pg_sh_) + " stop " + storetest::sh(dir_) + " immediate");
    }
    void start() {
        shell("PG_FSYNC=off bash " + storetest::sh(pg_sh_) + " start " + storetest::sh(dir_) + " " +
              port_);
        stopped_ = false;
        for (int i = 0; i < 100; ++i) { // pg_ctl -w waited already; make sure of it
            try {
                pqxx::connection probe("dbname=postgres");
                return;
            } catch (const std::exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
    }

  private:
    static void shell(const std::string& cmd) {
        if (std::system(cmd.c_str()) != 0) BOOST_TEST_MESSAGE("command failed: " << cmd);
    }
    std::string pg_sh_, dir_, port_;
    bool stopped_ = false;
};

tlsrpt::Report report_with_details(const std::string& id, int details) {
    ReportJson r;
    r.report_id = id;
    for (int i = 0; i < details; ++i)
        r.policies[0].details.push_back(Detail{});
    r.policies[0].failed = details;
    return storetest::read_one(r.json());
}

// A test-only trigger (not part of the schema): the INSERT of failure details waits for an
// advisory lock after every row of the report is written, before the statement can commit.
void install_pause(const TestDatabase& db) {
    db.exec("CREATE FUNCTION public.pause_store() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$; "
            "CREATE TRIGGER pause_store AFTER INSERT ON tlsrpt.failure_details "
            "FOR EACH STATEMENT EXECUTE FUNCTION public.pause_store()");
}

// True once a backend of this database waits for the advisory lock.
bool wait_for_paused_store(pqxx::connection& conn, const TestDatabase& db) {
    for (int i = 0; i < 300; ++i) {
        pqxx::nontransaction tx(conn);
        const auto n = tx.exec_params1("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
                                       "AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
                                       db.name())[0]
                           .as<int>();
        if (n > 0) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(server_stopped_in_the_middle_of_a_report) {
    TestDatabase db("restart"); // declared first: dropped after the cluster is up again
    Cluster cluster;
    if (!cluster.known()) {
        BOOST_TEST_MESSAGE("TLSRPT_TEST_PGDIR is not set: cannot stop the server (passes)");
        BOOST_TEST(true);
        return;
    }
    // a long statement_timeout: the paused call must fail because of the shutdown, not a timeout
    Store store(db.conninfo(), std::chrono::minutes(2));
    BOOST_REQUIRE(
        (store.store_report(report_with_details("before", 2), {}).status == Status::stored));
    Store idle(db.conninfo()); // connected now, unused until after the restart
    BOOST_REQUIRE(idle.schema_version() == expected_schema_version());
    install_pause(db);

    {
        pqxx::connection holder(db.conninfo());
        pqxx::nontransaction(holder).exec("SELECT pg_advisory_lock(4242)");
        auto pending = std::async(std::launch::async, [&] {
            return store.store_report(report_with_details("during", 50), {});
        });
        BOOST_REQUIRE_MESSAGE(wait_for_paused_store(holder, db), "store_report never paused");
        cluster.stop_immediately();
        if (pending.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
            BOOST_ERROR("the server did not stop; releasing the paused call");
            try {
                pqxx::nontransaction(holder).exec("SELECT pg_advisory_unlock_all()");
            } catch (const std::exception&) {
            }
        }
        const Outcome out = pending.get();
        BOOST_TEST((out.status == Status::temporary), out.message);
        BOOST_TEST_MESSAGE("while stopping: " << out.message);
    }
    const Outcome down = store.store_report(report_with_details("while-down", 1), {});
    BOOST_TEST((down.status == Status::temporary), down.message);

    cluster.start();
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports WHERE report_id <> 'before'") == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.policies") == 1);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.failure_details") == 2);

    // the same Store object reconnects by itself
    const Outcome during = store.store_report(report_with_details("during", 50), {});
    BOOST_TEST((during.status == Status::stored), during.message);
    const Outcome later = store.store_report(report_with_details("while-down", 1), {});
    BOOST_TEST((later.status == Status::stored), later.message);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.failure_details") == 53);
    BOOST_TEST(
        (store.store_report(report_with_details("before", 2), {}).status == Status::duplicate));

    // a connection that died while idle: at most one temporary answer, then it reconnects
    const Outcome stale = idle.store_report(report_with_details("idle", 1), {});
    BOOST_TEST((stale.status == Status::temporary || stale.status == Status::stored),
               stale.message);
    BOOST_TEST_MESSAGE("idle connection after the restart: " << to_string(stale.status) << " "
                                                             << stale.message);
    const Outcome fresh = idle.store_report(report_with_details("idle", 1), {});
    BOOST_TEST((fresh.ok()), fresh.message);
}
