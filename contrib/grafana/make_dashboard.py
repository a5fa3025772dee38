#!/usr/bin/env python3
"""make_dashboard.py: writes contrib/grafana/tlsrpt.json, the Grafana dashboard of the tlsrpt
schema, from the panel list below (edit here, run, commit both). Every query reads the shipped
views and tables only, filters on the report day with $__timeFilter, and takes the template
variables $domain, $policy_type and $reporter (multi-value, quoted lists). The data source is the
import-time input DS_POSTGRES (Grafana's built-in PostgreSQL data source, 9 to 11).

  python3 contrib/grafana/make_dashboard.py > contrib/grafana/tlsrpt.json
"""
import json

DS = {"type": "postgres", "uid": "${DS_POSTGRES}"}

# "All" of a variable is its allValue '*' (Grafana puts a custom all value in as it is), so a
# query filters on nothing instead of on a list of every value: reports can name any number of
# domains, and a list of thousands would slow every panel. The variables never offer a value
# '*' (a report could name one), so picking values never means "All".
ALL = "'*'"


def among(column, variable):
    return f"({ALL} IN (${variable}) OR {column} IN (${variable}))"


FILTERS = " AND ".join([among("policy_domain", "domain"), among("policy_type", "policy_type"),
                        among("reporter", "reporter")])

# Each session once: per report, day and domain the row of the lowest type_rank among the
# policy types selected (report_sessions, migration 007).
SESSIONS = """(SELECT DISTINCT ON (report_pk, day, policy_domain) day, policy_domain, successful, failed
  FROM tlsrpt.report_sessions
  WHERE $__timeFilter(day) AND """ + FILTERS + """
  ORDER BY report_pk, day, policy_domain, type_rank) s"""

# Each failed session once: per report, day and domain the failures of the policy type that
# represents its sessions among the types selected (the lowest type_rank, as in SESSIONS), so
# the breakdowns add up to the failed sessions of the totals.
FAILURES = """(SELECT f.day, f.policy_domain, f.result_type, f.sending_mta_ip,
       f.receiving_mx_hostname, f.sessions
  FROM tlsrpt.failure_sessions f
  JOIN (SELECT DISTINCT ON (report_pk, day, policy_domain) report_pk, day, policy_domain, policy_type
        FROM tlsrpt.report_sessions
        WHERE $__timeFilter(day) AND """ + FILTERS + """
        ORDER BY report_pk, day, policy_domain, type_rank) t
    ON t.report_pk = f.report_pk AND t.day = f.day AND t.policy_type = f.policy_type
   AND coalesce(t.policy_domain, '') = coalesce(f.policy_domain, '')) f"""

PANELS = [
    # (title, type, width, height, format, sql, extra fieldConfig / options)
    ("Reports stored", "stat", 6, 4, "table",
     "SELECT count(*) AS reports FROM tlsrpt.reports\n"
     "WHERE $__timeFilter((start_datetime AT TIME ZONE 'UTC')::date) AND " + among("reporter", "reporter"), {}),
    ("Policy domains", "stat", 6, 4, "table",
     "SELECT count(DISTINCT policy_domain) AS domains FROM " + SESSIONS, {}),
    ("Success rate", "stat", 6, 4, "table",
     "SELECT round(100.0 * sum(successful) / nullif(sum(successful + failed), 0), 2) AS success_rate\n"
     "FROM " + SESSIONS, {"unit": "percent", "thresholds": [99]}),
    ("Quarantined messages", "stat", 6, 4, "table",
     "SELECT count(*) AS quarantined FROM tlsrpt.rejected_messages WHERE $__timeFilter(received_at)", {}),
    ("Sessions per day", "timeseries", 12, 8, "time_series",
     "SELECT $__timeGroupAlias(day, '1d'), sum(successful) AS successful, sum(failed) AS failed\n"
     "FROM " + SESSIONS + "\nGROUP BY 1 ORDER BY 1", {"stacked": True}),
    ("Success rate per domain", "timeseries", 12, 8, "time_series",
     "SELECT $__timeGroupAlias(day, '1d'), policy_domain AS metric,\n"
     "  round(100.0 * sum(successful) / nullif(sum(successful + failed), 0), 2) AS success_rate\n"
     "FROM " + SESSIONS + "\nGROUP BY 1, 2 ORDER BY 1", {"unit": "percent", "thresholds": [99]}),
    ("Failed sessions by result type", "timeseries", 12, 8, "time_series",
     "SELECT $__timeGroupAlias(day, '1d'), result_type AS metric, sum(sessions) AS failed\n"
     "FROM " + FAILURES + "\nGROUP BY 1, 2 ORDER BY 1", {"stacked": True}),
    ("Alerts (tlsrptctl alerts --record)", "table", 12, 8, "table",
     "SELECT severity, rule, policy_domain, reporter, since, last_day, figures, hint, rfc,\n"
     "  evaluated_at FROM tlsrpt.current_alerts WHERE " + among("policy_domain", "domain"), {}),
    ("Top failing sending MTA, MX host and result type", "table", 12, 8, "table",
     "SELECT sending_mta_ip, receiving_mx_hostname, result_type, sum(sessions) AS sessions\n"
     "FROM " + FAILURES + "\nGROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3 LIMIT 25", {}),
    ("Reporters", "table", 12, 8, "table",
     "SELECT organization_name, reporter, min(day) AS first_seen, max(day) AS last_seen,\n"
     "  sum(reports) AS reports,\n"
     "  round(100.0 * sum(authenticated_reports) / sum(reports), 1) AS authenticated_percent\n"
     "FROM tlsrpt.daily_reporters WHERE $__timeFilter(day) AND " + among("reporter", "reporter") + "\n"
     "GROUP BY 1, 2 ORDER BY reports DESC, 1", {}),
    ("Quirks per reporter (deviations from RFC 8460)", "table", 12, 8, "table",
     "SELECT organization_name, quirk, sum(reports) AS reports\n"
     "FROM tlsrpt.daily_quirks WHERE $__timeFilter(day) AND " + among("reporter", "reporter") + "\n"
     "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2", {}),
]

# name, label, query: the values seen in the time range, the busiest first and at most a few
# hundred (Grafana sorts them by name), so the drop-down stays usable whatever reports name.
VARIABLES = [
    ("domain", "Policy domain",
     "SELECT policy_domain FROM tlsrpt.daily_sessions WHERE $__timeFilter(day) AND policy_domain <> '*'\n"
     "GROUP BY 1 ORDER BY sum(successful + failed) DESC, 1 LIMIT 500"),
    ("policy_type", "Policy type",
     "SELECT policy_type FROM tlsrpt.policies WHERE $__timeFilter(day) AND policy_type <> '*'\n"
     "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 20"),
    ("reporter", "Reporter",
     "SELECT reporter FROM tlsrpt.daily_reporters WHERE $__timeFilter(day) AND reporter <> '*'\n"
     "GROUP BY 1 ORDER BY sum(reports) DESC, 1 LIMIT 200"),
]


def field_config(extra):
    defaults = {"custom": {}}
    if "unit" in extra:
        defaults["unit"] = extra["unit"]
    if "thresholds" in extra:
        defaults["thresholds"] = {"mode": "absolute", "steps": [
            {"color": "red", "value": None}] + [{"color": "green", "value": v} for v in extra["thresholds"]]}
        defaults["custom"]["thresholdsStyle"] = {"mode": "line"}
    if extra.get("stacked"):
        defaults["custom"]["stacking"] = {"mode": "normal", "group": "A"}
        defaults["custom"]["drawStyle"] = "bars"
        defaults["custom"]["fillOpacity"] = 80
    return {"defaults": defaults, "overrides": []}


def panels():
    out, x, y, row_h = [], 0, 0, 0
    for i, (title, kind, w, h, fmt, sql, extra) in enumerate(PANELS, start=1):
        if x + w > 24:
            x, y = 0, y + row_h
            row_h = 0
        out.append({
            "id": i, "title": title, "type": kind, "datasource": DS,
            "gridPos": {"x": x, "y": y, "w": w, "h": h},
            "fieldConfig": field_config(extra),
            "options": {},
            "targets": [{"refId": "A", "datasource": DS, "editorMode": "code", "format": fmt,
                         "rawQuery": True, "rawSql": sql}],
        })
        x += w
        row_h = max(row_h, h)
    return out


def variables():
    return [{"name": n, "label": label, "type": "query", "datasource": DS, "query": q,
             "definition": q, "multi": True, "includeAll": True, "allValue": ALL,
             "refresh": 2, "sort": 1,  # refresh 2: on time range change
             "current": {"selected": True, "text": ["All"], "value": ["$__all"]}}
            for n, label, q in VARIABLES]


def main():
    dashboard = {
        "__inputs": [{"name": "DS_POSTGRES", "label": "PostgreSQL (tlsrpt)", "type": "datasource",
                      "pluginId": "postgres", "pluginName": "PostgreSQL",
                      "description": "the database tlsrpt-milter writes (schema tlsrpt)"}],
        "__requires": [{"type": "datasource", "id": "postgres", "name": "PostgreSQL", "version": "1.0.0"},
                       {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"}],
        "title": "SMTP TLS Reporting (tlsrpt-milter)",
        "uid": "tlsrpt-milter",
        "description": "RFC 8460 reports stored by tlsrpt-milter: sessions, success rates, failures, "
                       "reporters. Days are report days (UTC).",
        "tags": ["tlsrpt", "mail", "tls"],
        "timezone": "utc",
        "schemaVersion": 36,
        "version": 1,
        "editable": True,
        "time": {"from": "now-30d", "to": "now"},
        "refresh": "",
        "templating": {"list": variables()},
        "panels": panels(),
        "annotations": {"list": []},
    }
    print(json.dumps(dashboard, indent=2))


if __name__ == "__main__":
    main()
