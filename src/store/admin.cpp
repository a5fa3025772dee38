// admin.cpp: pruning and the quarantine of unreadable messages (admin.hpp).
#include "store/admin.hpp"

#include <pqxx/pqxx>

namespace tlsrpt::store {

PruneResult prune(pqxx::connection_base& conn, int days, bool rejected) {
    pqxx::work tx(conn, "tlsrpt_prune");
    PruneResult out;
    const pqxx::row rows = tx.exec_params1(
        "WITH old AS (SELECT id FROM tlsrpt.reports "
        "             WHERE end_datetime < now() - make_interval(days => $1)) "
        "SELECT (SELECT count(*) FROM tlsrpt.policies WHERE report_pk IN (SELECT id FROM old)), "
        "       (SELECT count(*) FROM tlsrpt.failure_details f JOIN tlsrpt.policies p "
        "        ON p.id = f.policy_pk WHERE p.report_pk IN (SELECT id FROM old)), "
        "       (SELECT count(*) FROM tlsrpt.report_conflicts "
        "        WHERE report_pk IN (SELECT id FROM old))",
        days);
    out.policies = rows[0].as<std::int64_t>();
    out.failure_details = rows[1].as<std::int64_t>();
    out.conflicts = rows[2].as<std::int64_t>();
    out.reports = tx.exec_params("DELETE FROM tlsrpt.reports "
                                 "WHERE end_datetime < now() - make_interval(days => $1)",
                                 days)
                      .affected_rows();
    const std::string old_rejected =
        "FROM tlsrpt.rejected_messages WHERE received_at < now() - make_interval(days => $1)";
    if (rejected)
        out.rejected = tx.exec_params("DELETE " + old_rejected, days).affected_rows();
    else
        out.rejected_kept =
            tx.exec_params1("SELECT count(*) " + old_rejected, days)[0].as<std::int64_t>();
    tx.commit();
    return out;
}

std::vector<RejectedMessage> list_rejected(pqxx::connection_base& conn) {
    pqxx::read_transaction tx(conn, "tlsrpt_list_rejected");
    const pqxx::result res = tx.exec(
        "SELECT id, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), reason, "
        "coalesce(mail_from, ''), coalesce(subject, ''), reimported_at IS NOT NULL "
        "FROM tlsrpt.rejected_messages ORDER BY id");
    std::vector<RejectedMessage> out;
    for (const pqxx::row& r : res)
        out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                       r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<bool>()});
    return out;
}

std::optional<std::string> rejected_raw(pqxx::connection_base& conn, std::int64_t id) {
    pqxx::read_transaction tx(conn, "tlsrpt_rejected_raw");
    const pqxx::result res =
        tx.exec_params("SELECT raw FROM tlsrpt.rejected_messages WHERE id = $1", id);
    if (res.empty()) return std::nullopt;
    return pqxx::binarystring(res[0][0]).str();
}

void mark_reimported(pqxx::connection_base& conn, std::int64_t id) {
    pqxx::work tx(conn, "tlsrpt_mark_reimported");
    tx.exec_params0("UPDATE tlsrpt.rejected_messages SET reimported_at = now() WHERE id = $1", id);
    tx.commit();
}

} // namespace tlsrpt::store
