// roles_test.hpp: helpers of the suites that act as a role other than the schema's owner
// (test_store_grants, test_store_row_security): a login role of the test's own, granted by the
// owner, statements run as it, and small reports to store.
#pragma once

#include "store/grants.hpp"
#include "store_test.hpp"
#include "tlsrpt/store.hpp"

#include <pqxx/pqxx>
#include <string>
#include <unistd.h>

namespace rolestest {

// A login role of its own for one test, dropped at the end. Declare it before the test's
// TestDatabase: the database (and every right granted in it) goes first.
class TestRole {
  public:
    explicit TestRole(const std::string& tag)
        : name_("tlsrpt_grant_" + tag + "_" + std::to_string(getpid())) {
        admin("DROP ROLE IF EXISTS " + name_);
        admin("CREATE ROLE " + name_ + " LOGIN");
    }
    ~TestRole() { // declared before the test's database, so dropped after it
        try {
            admin("DROP ROLE IF EXISTS " + name_);
        } catch (const std::exception&) {
            // the cluster is down after a failed test; the name is unique to this process
        }
    }
    TestRole(const TestRole&) = delete;
    TestRole& operator=(const TestRole&) = delete;

    const std::string& name() const { return name_; }
    std::string conninfo(const storetest::TestDatabase& db) const {
        return db.conninfo() + " user=" + name_;
    }

  private:
    static void admin(const std::string& sql) {
        pqxx::connection conn("dbname=postgres");
        pqxx::nontransaction tx(conn);
        tx.exec0(sql);
    }
    std::string name_;
};

inline void grant_as_owner(const storetest::TestDatabase& db, const TestRole& role,
                           tlsrpt::store::Access access) {
    pqxx::connection conn(db.conninfo());
    tlsrpt::store::grant(conn, role.name(), access);
}

// The SQLSTATE `sql` fails with as `conninfo`'s role ("" when it succeeds).
inline std::string sqlstate_of(const std::string& conninfo, const std::string& sql) {
    try {
        pqxx::connection conn(conninfo);
        pqxx::work tx(conn);
        tx.exec(sql);
        tx.commit();
        return "";
    } catch (const pqxx::insufficient_privilege&) {
        return "42501"; // libpqxx 6.4 throws this class without its code
    } catch (const pqxx::sql_error& e) {
        return e.sqlstate();
    }
}

inline tlsrpt::Report mailed(const storetest::ReportJson& r, const std::string& message_id) {
    return storetest::read_one(storetest::report_message(r.json(), message_id));
}

inline storetest::ReportJson report(const std::string& id,
                                    const std::string& day = storetest::utc_day(1)) {
    storetest::ReportJson r;
    r.report_id = id;
    r.day = day;
    r.policies[0].failed = 2;
    r.policies[0].details = {storetest::Detail{}};
    r.policies[0].details[0].failed_session_count = 2;
    return r;
}

inline tlsrpt::store::DkimInfo unauthenticated() {
    return {"none", "", "", "", "milter", "", false, ""};
}

} // namespace rolestest
