#!/usr/bin/env python3
"""check_dashboard.py DASHBOARD CONNINFO FROM TO: contrib/grafana/tlsrpt.json against a real
database. The file must import on Grafana 9-11 (the DS_POSTGRES input, every panel and variable
on it, raw SQL); each template variable's query runs and gives its values; each panel query
runs once Grafana's macros and variables are substituted the way Grafana's PostgreSQL data
source does (substitute() below), for the time range FROM..TO (YYYY-MM-DD, UTC), and returns at
least one row with the columns its panel needs. Then the figures are checked against the
views' own: the sessions, the success rate, the failures. Prints one PASS/FAIL line per check.
Python standard library only (psql for the queries)."""
import json
import re
import subprocess
import sys

fails = 0


def check(name, ok, why=""):
    global fails
    print(f"PASS {name}" if ok else f"FAIL {name}: {why}")
    fails += 0 if ok else 1


def psql(conninfo, sql):
    r = subprocess.run(["psql", "-X", "-A", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", conninfo,
                        "-c", sql], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    lines = r.stdout.splitlines()
    return lines[0].split("\t"), [l.split("\t") for l in lines[1:-1]]  # header, rows (no footer)


def macro_args(sql, start):
    """The text between the parentheses opening at sql[start] and the index after them."""
    depth, i = 0, start
    while i < len(sql):
        if sql[i] == "(":
            depth += 1
        elif sql[i] == ")":
            depth -= 1
            if depth == 0:
                return sql[start + 1:i], i + 1
        elif sql[i] == "'":
            i = sql.index("'", i + 1)
        i += 1
    raise ValueError("unbalanced macro")


def split_args(text):
    depth, cur, out = 0, "", []
    for c in text:
        if c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += c == "("
        depth -= c == ")"
        cur += c
    return out + [cur.strip()]


def interval_seconds(text):
    m = re.fullmatch(r"'?(\d+)([smhdw])'?", text)
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]


def substitute(sql, time_from, time_to, variables):
    """Grafana's PostgreSQL macros (time range in RFC 3339 UTC) and template variables: a list
    of values is quoted and joined with commas, as Grafana does for multi-value variables; a
    string is the variable's custom all value, which Grafana puts in as it is."""
    out, i = "", 0
    while True:
        m = re.compile(r"\$__(timeFilter|timeGroupAlias|timeGroup|timeFrom|timeTo)\b").search(sql, i)
        if not m:
            out += sql[i:]
            break
        out += sql[i:m.start()]
        name = m.group(1)
        if name in ("timeFrom", "timeTo"):
            _, after = macro_args(sql, m.end())
            out += f"'{time_from if name == 'timeFrom' else time_to}'"
        else:
            args, after = macro_args(sql, m.end())
            a = split_args(args)
            if name == "timeFilter":
                out += f"{a[0]} BETWEEN '{time_from}' AND '{time_to}'"
            else:
                s = interval_seconds(a[1])
                out += f"floor(extract(epoch from {a[0]})/{s})*{s}"
                out += ' AS "time"' if name == "timeGroupAlias" else ""
        i = after
    for name, values in variables.items():
        quoted = values if isinstance(values, str) else \
            ",".join("'" + v.replace("'", "''") + "'" for v in values)
        out = re.sub(r"\$\{" + name + r"(:[a-z]+)?\}|\$" + name + r"\b", lambda _: quoted, out)
    return out


def value(conninfo, sql):
    return psql(conninfo, sql)[1][0][0]


def main():
    path, conninfo, day_from, day_to = sys.argv[1:5]
    time_from, time_to = f"{day_from}T00:00:00Z", f"{day_to}T23:59:59Z"
    d = json.load(open(path))
    ds_ok = lambda x: x.get("uid") == "${DS_POSTGRES}" and x.get("type") == "postgres"
    check("dashboard-input-ds-postgres",
          [i["name"] for i in d.get("__inputs", [])] == ["DS_POSTGRES"] and
          d["__inputs"][0]["pluginId"] == "postgres")
    panels = d["panels"]
    check("dashboard-every-panel-on-the-input",
          all(ds_ok(p["datasource"]) and all(ds_ok(t["datasource"]) for t in p["targets"])
              for p in panels))
    check("dashboard-has-the-panels", len(panels) >= 11, f"{len(panels)} panels")
    variables, all_values = {}, {}
    for v in d["templating"]["list"]:
        try:
            _, rows = psql(conninfo, substitute(v["query"], time_from, time_to, {}))
            variables[v["name"]] = [r[0] for r in rows]
            all_values[v["name"]] = v.get("allValue")
            check(f"variable-{v['name']}", ds_ok(v["datasource"]) and v["multi"] and rows and
                  v.get("allValue") == "'*'" and "LIMIT" in v["query"], f"{len(rows)} values")
        except RuntimeError as e:
            check(f"variable-{v['name']}", False, str(e))
    check("variables-domain-type-reporter",
          sorted(variables) == ["domain", "policy_type", "reporter"], str(sorted(variables)))
    results = {}
    for p in panels:  # every variable at "All": its custom all value, no list of values
        sql = substitute(p["targets"][0]["rawSql"], time_from, time_to, all_values)
        name = "panel-" + re.sub(r"[^a-z0-9]+", "-", p["title"].lower()).strip("-")
        try:
            header, rows = psql(conninfo, sql)
            results[p["title"]] = (header, rows)
            is_ts = p["targets"][0]["format"] == "time_series"
            check(name, rows and (not is_ts or header[0] == "time") and "$" not in sql,
                  f"{len(rows)} rows, columns {header}")
        except RuntimeError as e:
            check(name, False, str(e))
    # the figures against the views'
    window = f"day BETWEEN '{day_from}' AND '{day_to}'"
    want = value(conninfo, f"SELECT sum(successful) || ' ' || sum(failed) FROM tlsrpt.daily_sessions WHERE {window}")
    header, rows = results.get("Sessions per day", ([], []))
    got = f"{sum(int(float(r[1])) for r in rows)} {sum(int(float(r[2])) for r in rows)}" if rows else "-"
    check("sessions-per-day-equal-daily-sessions", got == want, f"panel {got}, daily_sessions {want}")
    want = value(conninfo, f"SELECT round(100.0 * sum(successful) / sum(successful + failed), 2) FROM tlsrpt.daily_sessions WHERE {window}")
    got = results.get("Success rate", ([], [["-"]]))[1][0][0]
    check("success-rate-equals-daily-sessions", got == want, f"panel {got}, daily_sessions {want}")
    want = value(conninfo, f"SELECT sum(sessions) FROM tlsrpt.daily_failures WHERE {window}")
    rows = results.get("Failed sessions by result type", ([], []))[1]
    got = str(sum(int(float(r[2])) for r in rows))
    check("failures-by-type-equal-daily-failures", got == want, f"panel {got}, daily_failures {want}")
    want = value(conninfo, f"SELECT sum(failed) FROM tlsrpt.daily_sessions WHERE {window}")
    check("failures-by-type-add-up-to-failed-sessions", got == want,
          f"failures by type {got}, failed sessions {want} (a report's sts and tlsa failures "
          f"counted twice?)")
    one = dict(all_values, domain=["shop.example"])  # one domain picked, the rest at "All"
    sql = next(substitute(p["targets"][0]["rawSql"], time_from, time_to, one)
               for p in panels if p["title"] == "Sessions per day")
    got = sum(int(float(r[2])) for r in psql(conninfo, sql)[1])
    want = value(conninfo, f"SELECT sum(failed) FROM tlsrpt.daily_sessions WHERE {window} "
                           "AND policy_domain = 'shop.example'")
    check("one-domain-picked-shows-that-domain", str(got) == want, f"panel {got}, view {want}")
    rows = results.get("Reporters", ([], []))[1]
    check("reporters-table-three-reporters", len(rows) == 3, f"{len(rows)} rows")
    rows = results.get("Quirks per reporter (deviations from RFC 8460)", ([], []))[1]
    check("quirks-table-names-the-deviating-reporter",
          any(r[0] == "Small MTA" and r[1] == "count-as-string" for r in rows), str(rows[:3]))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
