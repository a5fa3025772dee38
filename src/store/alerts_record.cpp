// alerts_record.cpp: `tlsrptctl alerts --record`: one evaluation of the alert rules written to
// tlsrpt.alert_evaluations and tlsrpt.recorded_alerts (006_dashboard_views.sql) in one
// transaction, exactly as the program decided it, for the dashboard's alert table (the
// tlsrpt.current_alerts view). Evaluations older than seven days are removed in the same
// transaction, so the table stays bounded however often the timer runs.
#include "store/alerts.hpp"

#include "tlsrpt/json_writer.hpp"

#include <pqxx/pqxx>

namespace tlsrpt::store::alerts {

namespace {

constexpr const char* evaluation_sql = R"(
INSERT INTO tlsrpt.alert_evaluations (last_day, domains, status)
VALUES ($1::date, ARRAY(SELECT jsonb_array_elements_text($2::jsonb)), $3)
RETURNING id
)";

// $2: the alerts as a JSON array of objects named after the columns.
constexpr const char* alerts_sql = R"(
INSERT INTO tlsrpt.recorded_alerts (evaluation_pk, severity, downgraded, rule, policy_domain,
                                    reporter, since, last_day, figures, hint, rfc, reports)
SELECT $1, a.severity, a.downgraded, a.rule, a.policy_domain, nullif(a.reporter, ''),
       nullif(a.since, '')::date, nullif(a.last_day, '')::date, a.figures, a.hint, a.rfc,
       ARRAY(SELECT jsonb_array_elements_text(a.reports)::bigint)
FROM jsonb_to_recordset($2::jsonb) AS a(severity text, downgraded boolean, rule text,
     policy_domain text, reporter text, since text, last_day text, figures text, hint text,
     rfc text, reports jsonb)
)";

constexpr const char* prune_sql =
    "DELETE FROM tlsrpt.alert_evaluations WHERE evaluated_at < now() - interval '7 days'";

Severity worst(const Evaluation& e) {
    Severity out = Severity::ok;
    for (const Alert& a : e.alerts)
        if (a.decision.severity > out) out = a.decision.severity;
    return out;
}

std::string alerts_json(const Evaluation& e) {
    JsonWriter w;
    w.begin_array();
    for (const Alert& a : e.alerts) {
        const Evidence& ev = a.evidence;
        w.begin_object()
            .key("severity")
            .value(to_string(a.decision.severity))
            .key("downgraded")
            .boolean(a.decision.downgraded)
            .key("rule")
            .value(ev.rule->name)
            .key("policy_domain")
            .value(ev.domain)
            .key("reporter")
            .value(ev.reporter)
            .key("since")
            .value(ev.since)
            .key("last_day")
            .value(ev.last)
            .key("figures")
            .value(figures(ev))
            .key("hint")
            .value(hint(ev))
            .key("rfc")
            .value(ev.rule->rfc)
            .key("reports")
            .begin_array();
        for (const std::int64_t id : ev.reports)
            w.value(id);
        w.end_array().end_object();
    }
    w.end_array();
    return w.str();
}

} // namespace

std::int64_t record(pqxx::connection_base& conn, const Evaluation& e,
                    const std::vector<std::string>& domains) {
    pqxx::work tx(conn, "tlsrpt_alerts_record");
    const std::int64_t id =
        tx.exec_params1(evaluation_sql, e.last_day, JsonWriter().strings(domains).str(),
                        to_string(worst(e)))[0]
            .as<std::int64_t>();
    tx.exec_params0(alerts_sql, id, alerts_json(e));
    tx.exec0(prune_sql);
    tx.commit();
    return id;
}

} // namespace tlsrpt::store::alerts
