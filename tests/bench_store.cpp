// bench_store.cpp: store throughput over one connection, each report its own transaction, as
// the milter and `tlsrptctl import` write. Generates N typical reports (1-3 policies, 0-4
// failure details each, parsed before timing), stores them into a fresh database, prints
// reports/s and rows/s, then the time for one 10,000-detail report. Measure against a cluster
// with fsync on (tests/pg.sh start DIR PORT without PG_FSYNC=off). Built by meson, not a test:
//   PGHOST=127.0.0.1 PGPORT=55441 PGUSER=postgres build/tests/store/bench_store [N]
#include "store/migrations.hpp"
#include "store/store_test.hpp"
#include "tlsrpt/store.hpp"

#include <chrono>
#include <cstdio>
#include <random>

namespace {

using storetest::Detail;
using storetest::PolicyJson;
using storetest::ReportJson;

const char* result_types[] = {"certificate-expired", "starttls-not-supported", "validation-failure",
                              "sts-policy-fetch-error", "certificate-host-mismatch"};

ReportJson typical_report(std::mt19937& rng, int i) {
    ReportJson r;
    r.organization_name = "Sender " + std::to_string(i % 50);
    r.contact_info = "tlsrpt@sender" + std::to_string(i % 50) + ".example";
    r.report_id = "bench-" + std::to_string(i);
    r.day = storetest::utc_day(static_cast<int>(rng() % 30));
    r.policies.clear();
    const int policies = 1 + static_cast<int>(rng() % 3);
    for (int p = 0; p < policies; ++p) {
        PolicyJson pol;
        pol.domain = "domain" + std::to_string(rng() % 200) + ".example";
        pol.successful = static_cast<std::int64_t>(rng() % 5000);
        const int details = static_cast<int>(rng() % 5);
        for (int d = 0; d < details; ++d) {
            Detail det;
            det.result_type = result_types[rng() % 5];
            det.sending_mta_ip = "192.0.2." + std::to_string(rng() % 250);
            det.receiving_ip = "198.51.100." + std::to_string(rng() % 250);
            det.failed_session_count = 1 + static_cast<std::int64_t>(rng() % 20);
            pol.failed += det.failed_session_count;
            pol.details.push_back(det);
        }
        r.policies.push_back(pol);
    }
    return r;
}

std::size_t rows_of(const tlsrpt::Report& r) {
    std::size_t n = 1 + r.policies.size();
    for (const auto& p : r.policies)
        n += p.failure_details.size();
    return n;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A database of its own, dropped at the end.
struct BenchDatabase {
    std::string name = "tlsrpt_bench_" + std::to_string(getpid());
    BenchDatabase() {
        pqxx::connection admin("dbname=postgres");
        pqxx::nontransaction tx(admin);
        tx.exec0("DROP DATABASE IF EXISTS " + name);
        tx.exec0("CREATE DATABASE " + name);
        std::printf("server: fsync=%s synchronous_commit=%s\n", tx.exec1("SHOW fsync")[0].c_str(),
                    tx.exec1("SHOW synchronous_commit")[0].c_str());
        pqxx::connection conn("dbname=" + name);
        tlsrpt::store::migrate(conn);
    }
    ~BenchDatabase() {
        try {
            pqxx::connection admin("dbname=postgres");
            pqxx::nontransaction(admin).exec0("DROP DATABASE " + name + " WITH (FORCE)");
        } catch (const std::exception& e) {
            std::fprintf(stderr, "drop database: %s\n", e.what());
        }
    }
};

int run(int n) {
    std::mt19937 rng(8460);
    std::vector<tlsrpt::Report> reports;
    std::size_t rows = 0;
    for (int i = 0; i < n; ++i) {
        reports.push_back(storetest::read_one(typical_report(rng, i).json()));
        rows += rows_of(reports.back());
    }
    BenchDatabase db;
    tlsrpt::store::Store store("dbname=" + db.name, std::chrono::minutes(5));
    store.schema_version(); // connect before timing
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& r : reports) {
        const auto out = store.store_report(r, {});
        if (out.status != tlsrpt::store::Status::stored) {
            std::fprintf(stderr, "%s: %s\n", to_string(out.status), out.message.c_str());
            return 1;
        }
    }
    const double s = seconds_since(t0);
    std::printf("%d reports, %zu rows in %.2f s: %.0f reports/s, %.0f rows/s, %.3f ms/report\n", n,
                rows, s, n / s, static_cast<double>(rows) / s, 1000.0 * s / n);

    ReportJson big;
    big.report_id = "bench-big";
    for (int i = 0; i < 10000; ++i) {
        Detail d;
        d.sending_mta_ip = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
        big.policies[0].details.push_back(d);
    }
    const auto big_report = storetest::read_one(big.json());
    const auto t1 = std::chrono::steady_clock::now();
    const auto out = store.store_report(big_report, {});
    std::printf("one 10,000-detail report: %.1f ms (%s)\n", 1000.0 * seconds_since(t1),
                to_string(out.status));
    return out.status == tlsrpt::store::Status::stored ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
    if (n <= 0) {
        std::fprintf(stderr, "usage: bench_store [N]\n");
        return 2;
    }
    try {
        return run(n);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_store: %s\n", e.what());
        return 1;
    }
}
