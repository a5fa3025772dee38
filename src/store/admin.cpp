// admin.cpp: partition upkeep, pruning and the quarantine of unreadable messages (admin.hpp).
// Whole months are dropped as partitions (tlsrpt.drop_month, 009_partitioning.sql), one
// transaction each; only the month at the edge and the default partition see a DELETE.
#include "store/admin.hpp"

#include <pqxx/pqxx>

namespace tlsrpt::store {

namespace {

// The UTC date `days` days before today, as PostgreSQL's text: a constant for the statements
// below, so the planner prunes partitions by it.
std::string cutoff_day(pqxx::connection_base& conn, int days) {
    pqxx::nontransaction tx(conn, "tlsrpt_cutoff");
    return tx.exec_params1("SELECT ((now() AT TIME ZONE 'UTC')::date - $1::int)::text", days)[0]
        .as<std::string>();
}

// The monthly partitions entirely before `cutoff`, oldest first ("YYYY-MM-01").
std::vector<std::string> months_before(pqxx::connection_base& conn, const std::string& cutoff) {
    pqxx::read_transaction tx(conn, "tlsrpt_prune_months");
    std::vector<std::string> out;
    for (const pqxx::row& r : tx.exec_params("SELECT month::text FROM tlsrpt.month_partitions() "
                                             "WHERE month + interval '1 month' <= $1::date "
                                             "ORDER BY month",
                                             cutoff))
        out.push_back(r[0].as<std::string>());
    return out;
}

// Drops one month's partitions whole (tlsrpt.drop_month), in its own transaction.
void drop_month(pqxx::connection_base& conn, const std::string& month, PruneResult& out) {
    pqxx::work tx(conn, "tlsrpt_drop_month");
    const pqxx::row r = tx.exec_params1("SELECT * FROM tlsrpt.drop_month($1::date)", month);
    tx.commit();
    out.reports += r[0].as<std::int64_t>();
    out.policies += r[1].as<std::int64_t>();
    out.failure_details += r[2].as<std::int64_t>();
    out.conflicts += r[3].as<std::int64_t>();
    out.months.push_back(month.substr(0, 7));
}

// Deletes what is left before `cutoff` (the month at the edge, the default partition), child
// rows first: set-based DELETEs that each read only the partitions before the cutoff.
void delete_before(pqxx::work& tx, const std::string& cutoff, PruneResult& out) {
    tx.exec("SET LOCAL lock_timeout = '10s'");
    const auto del = [&](const char* table, const char* column) {
        return tx
            .exec_params(std::string("DELETE FROM tlsrpt.") + table + " WHERE " + column +
                             " < $1::date",
                         cutoff)
            .affected_rows();
    };
    out.conflicts += del("report_conflicts", "report_day");
    del("failure_rollup", "day"); // 010_failure_rollup.sql: derived rows, not counted
    out.failure_details += del("failure_details", "day");
    out.policies += del("policies", "day");
    out.reports += del("reports", "day");
}

} // namespace

PruneResult prune(pqxx::connection_base& conn, int days, bool rejected) {
    PruneResult out;
    const std::string cutoff = cutoff_day(conn, days);
    for (const std::string& month : months_before(conn, cutoff))
        drop_month(conn, month, out);
    pqxx::work tx(conn, "tlsrpt_prune");
    delete_before(tx, cutoff, out);
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

MaintainResult maintain(pqxx::connection_base& conn, int months_ahead) {
    MaintainResult out;
    std::vector<std::string> months;
    {
        // this month and the next ones, then any month of the window with rows in the
        // default partition (its partition could not be made when they arrived)
        pqxx::read_transaction tx(conn, "tlsrpt_maintain_months");
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT m::date::text FROM generate_series("
                 "  date_trunc('month', now() AT TIME ZONE 'UTC'),"
                 "  date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => $1),"
                 "  interval '1 month') m "
                 "UNION SELECT DISTINCT date_trunc('month', d.day)::date::text "
                 "FROM tlsrpt.reports_default d, tlsrpt.partition_window() w "
                 "WHERE d.day >= w.first_month AND d.day < w.last_month + interval '1 month' "
                 "ORDER BY 1",
                 months_ahead))
            months.push_back(r[0].as<std::string>());
    }
    for (const std::string& month : months) {
        pqxx::work tx(conn, "tlsrpt_ensure_partition");
        const std::string result =
            tx.exec_params1("SELECT tlsrpt.ensure_partition($1::date)", month)[0].as<std::string>();
        tx.commit();
        if (result == "created") out.created.push_back(month.substr(0, 7));
    }
    pqxx::read_transaction tx(conn, "tlsrpt_maintain_default");
    out.default_reports =
        tx.exec1("SELECT count(*) FROM tlsrpt.reports_default")[0].as<std::int64_t>();
    for (const pqxx::row& r : tx.exec("SELECT to_char(month, 'YYYY-MM') FROM "
                                      "tlsrpt.month_partitions() ORDER BY month"))
        out.months.push_back(r[0].as<std::string>());
    return out;
}

// What a new session of the database gets, whatever this session's role or client options:
// the database's own setting when it has one, else the server's (postgresql.conf or the
// built-in default) when this session shows it, else unknown (NULL: a role or client option
// hides it).
constexpr const char* join_setting_sql = R"(
WITH own AS (
    SELECT substr(s, strpos(s, '=') + 1)::bool AS value
    FROM pg_db_role_setting d, unnest(d.setconfig) s
    WHERE d.setrole = 0 AND split_part(s, '=', 1) = 'enable_partitionwise_join'
      AND d.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()))
SELECT current_database(), EXISTS (SELECT FROM own), coalesce(
    (SELECT value FROM own),
    (SELECT setting::bool FROM pg_settings WHERE name = 'enable_partitionwise_join'
       AND source NOT IN ('database', 'user', 'database user', 'client', 'session')))
)";

JoinSetting join_setting(pqxx::connection_base& conn) {
    pqxx::read_transaction tx(conn, "tlsrpt_join_setting");
    const pqxx::row r = tx.exec1(join_setting_sql);
    JoinSetting out{r[0].as<std::string>(), r[1].as<bool>(), std::nullopt};
    if (!r[2].is_null()) out.partitionwise = r[2].as<bool>();
    return out;
}

JoinRepair ensure_join_setting(pqxx::connection_base& conn, const JoinSetting& now) {
    // an explicit setting of the database is the owner's choice, kept even when off
    if (now.set_for_database || now.partitionwise.value_or(true)) return JoinRepair::untouched;
    try {
        pqxx::work tx(conn, "tlsrpt_join_setting_set");
        tx.exec0("ALTER DATABASE " + tx.quote_name(now.database) +
                 " SET enable_partitionwise_join = on");
        tx.commit();
    } catch (const pqxx::insufficient_privilege&) {
        return JoinRepair::not_permitted;
    } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() != "25006") throw; // read_only_sql_transaction: a standby
        return JoinRepair::not_permitted;
    }
    return JoinRepair::set;
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
