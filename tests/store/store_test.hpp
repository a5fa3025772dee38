// store_test.hpp: what the store suites share: report JSON and report e-mails built in code,
// a fresh PostgreSQL database per run with exactly the shipped migrations applied (the code
// path of `tlsrptctl db migrate`), and running the built tlsrptctl.
// Needs PGHOST/PGPORT/PGUSER (tests/run_all.sh exports them).
#pragma once

#include "store/migrations.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/store.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace storetest {

inline std::string env(const char* name, const std::string& fallback = "") {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

// A JSON string literal (RFC 8259 §7) for the test's own values.
inline std::string q(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

inline std::string q_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const auto& s : items)
        out += (out.size() > 1 ? "," : "") + q(s);
    return out + "]";
}

// "YYYY-MM-DD" of the UTC day `days_ago` days before today.
inline std::string utc_day(int days_ago) {
    const std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days_ago) * 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

// RFC 8460 §4.4 failure-details entry; empty members are left out.
struct Detail {
    std::string result_type = "certificate-expired";
    std::string sending_mta_ip = "192.0.2.10";
    std::string receiving_mx_hostname = "mx1.receiver.example";
    std::string receiving_mx_helo;
    std::string receiving_ip = "198.51.100.25";
    std::int64_t failed_session_count = 1;
    std::string additional_information;
    std::string failure_reason_code;

    std::string json() const {
        std::string out = "{\"result-type\":" + q(result_type);
        const auto add = [&](const char* k, const std::string& v) {
            if (!v.empty()) out += std::string(",\"") + k + "\":" + q(v);
        };
        add("sending-mta-ip", sending_mta_ip);
        add("receiving-mx-hostname", receiving_mx_hostname);
        add("receiving-mx-helo", receiving_mx_helo);
        add("receiving-ip", receiving_ip);
        out += ",\"failed-session-count\":" + std::to_string(failed_session_count);
        add("additional-information", additional_information);
        add("failure-reason-code", failure_reason_code);
        return out + "}";
    }
};

struct PolicyJson {
    std::string type = "sts";
    std::string domain = "receiver.example";
    std::vector<std::string> strings = {"version: STSv1", "mode: enforce",
                                        "mx: mx1.receiver.example", "max_age: 86400"};
    std::vector<std::string> mx_host = {"mx1.receiver.example"};
    std::int64_t successful = 100;
    std::int64_t failed = 0;
    std::vector<Detail> details;

    std::string json() const {
        std::string out = "{\"policy\":{\"policy-type\":" + q(type) +
                          ",\"policy-string\":" + q_list(strings) +
                          ",\"policy-domain\":" + q(domain);
        if (!mx_host.empty()) out += ",\"mx-host\":" + q_list(mx_host);
        out += "},\"summary\":{\"total-successful-session-count\":" + std::to_string(successful) +
               ",\"total-failure-session-count\":" + std::to_string(failed) + "}";
        if (!details.empty()) {
            out += ",\"failure-details\":[";
            for (std::size_t i = 0; i < details.size(); ++i)
                out += (i ? "," : "") + details[i].json();
            out += "]";
        }
        return out + "}";
    }
};

// An RFC 8460 §4.4 report, by default for yesterday (UTC) so `summary --days 7` sees it.
struct ReportJson {
    std::string organization_name = "Example Mailer Ltd";
    std::string contact_info = "tlsrpt@mailer.example";
    std::string report_id = "report-1";
    std::string day = utc_day(1);
    std::vector<PolicyJson> policies = {PolicyJson{}};

    std::string json() const {
        std::string out = "{\"organization-name\":" + q(organization_name) +
                          ",\"date-range\":{\"start-datetime\":" + q(day + "T00:00:00Z") +
                          ",\"end-datetime\":" + q(day + "T23:59:59Z") + "}";
        if (!contact_info.empty()) out += ",\"contact-info\":" + q(contact_info);
        out += ",\"report-id\":" + q(report_id) + ",\"policies\":[";
        for (std::size_t i = 0; i < policies.size(); ++i)
            out += (i ? "," : "") + policies[i].json();
        return out + "]}";
    }
};

// A report e-mail (RFC 8460 §5.3) carrying the JSON uncompressed; LF line ends, as in a Maildir.
inline std::string report_message(const std::string& json, const std::string& message_id) {
    return "From: TLS reporter <noreply@mailer.example>\n"
           "To: tlsrpt@receiver.example\n"
           "Subject: Report Domain: receiver.example Submitter: mailer.example Report-ID: <" +
           message_id +
           ">\n"
           "Message-ID: <" +
           message_id +
           ">\n"
           "Date: Mon, 02 Mar 2026 04:00:00 +0000\n"
           "TLS-Report-Domain: receiver.example\n"
           "TLS-Report-Submitter: mailer.example\n"
           "MIME-Version: 1.0\n"
           "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"b1\"\n\n"
           "--b1\nContent-Type: text/plain\n\nA TLS report.\nFrom the mailer.\n"
           "--b1\nContent-Type: application/tlsrpt+json\n"
           "Content-Disposition: attachment; filename=\"mailer.example!receiver.example!1!2.json\""
           "\n\n" +
           json + "\n--b1--\n";
}

// A DKIM verdict of `result` for signer `domain`, the rest unknown.
inline tlsrpt::store::DkimInfo dkim_verdict(const std::string& result, const std::string& domain) {
    tlsrpt::store::DkimInfo d;
    d.result = result;
    d.domain = domain;
    return d;
}

// An aligned DKIM pass for mailer.example (selector sel1, ed25519), verified by the milter.
inline tlsrpt::store::DkimInfo authenticated_pass() {
    return {"pass", "mailer.example", "sel1", "ed25519-sha256", "milter", "insecure", true, ""};
}

// The one report read from `bytes` by the pipeline (throws when it is refused).
inline tlsrpt::Report read_one(const std::string& bytes) {
    auto reports = tlsrpt::read_reports(bytes, tlsrpt::Limits{});
    if (!reports) throw std::runtime_error("refused: " + reports.error().describe());
    if (reports->size() != 1) throw std::runtime_error("expected one report");
    return std::move(reports->front());
}

inline std::string write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    if (!out) throw std::runtime_error("cannot write " + path);
    return path;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A scratch directory removed at the end.
class TempDir {
  public:
    TempDir() {
        std::string tmpl = "/tmp/tlsrpt-store-test-XXXXXX";
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& leaf) const { return path_ + "/" + leaf; }

  private:
    std::string path_;
};

// A database of its own for one test run: CREATE DATABASE with a unique name, the shipped
// migrations applied unless `migrated` is false, DROP DATABASE at the end.
class TestDatabase {
  public:
    explicit TestDatabase(const std::string& tag, bool migrated = true) {
        static int serial = 0;
        name_ = "tlsrpt_test_" + tag + "_" + std::to_string(getpid()) + "_" +
                std::to_string(++serial) + "_" + std::to_string(std::time(nullptr));
        pqxx::connection admin("dbname=postgres");
        pqxx::nontransaction tx(admin);
        tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
        if (migrated) {
            pqxx::connection conn(conninfo());
            tlsrpt::store::migrate(conn);
        }
    }
    ~TestDatabase() {
        if (!env("TLSRPT_KEEP_TEST_DB").empty()) return;
        try {
            pqxx::connection admin("dbname=postgres");
            pqxx::nontransaction tx(admin);
            tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
        } catch (const std::exception&) {
            // the cluster may be down after a failed restart test; the name is unique anyway
        }
    }
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& name() const { return name_; }
    std::string conninfo() const { return "dbname=" + name_; }

    // One value of a query, as text ("" for NULL).
    std::string value(const std::string& sql) const {
        pqxx::connection conn(conninfo());
        pqxx::read_transaction tx(conn);
        const pqxx::row row = tx.exec1(sql);
        return row[0].is_null() ? "" : row[0].as<std::string>();
    }
    std::int64_t count(const std::string& sql) const { return std::stoll(value(sql)); }
    void exec(const std::string& sql) const {
        pqxx::connection conn(conninfo());
        pqxx::work tx(conn);
        tx.exec(sql);
        tx.commit();
    }
    // The plan of `sql` (EXPLAIN, COSTS OFF) as one text.
    std::string explain(const std::string& sql) const {
        pqxx::connection conn(conninfo());
        pqxx::read_transaction tx(conn);
        std::string out;
        for (const pqxx::row& r : tx.exec("EXPLAIN (COSTS OFF) " + sql))
            out += r[0].as<std::string>() + "\n";
        return out;
    }

  private:
    std::string name_;
};

struct CommandResult {
    int status = -1; // exit status, -1 when killed
    std::string out, err;
};

// Runs a shell command line, capturing stdout and stderr separately.
inline CommandResult run(const std::string& command) {
    TempDir dir;
    const int rc =
        std::system((command + " >'" + (dir / "out") + "' 2>'" + (dir / "err") + "'").c_str());
    CommandResult r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = read_file(dir / "out");
    r.err = read_file(dir / "err");
    return r;
}

// Single-quoted for the shell.
inline std::string sh(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

} // namespace storetest
