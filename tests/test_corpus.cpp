// test_corpus.cpp: the golden corpus. When ../shared/corpus exists (or $TLSRPT_SHARED_DIR/corpus),
// every file in it is read through the pipeline and checked against EXPECTED.tsv: `accept`
// rows read with equal totals, `reject` rows refused with an error, `either` rows survive.
#define BOOST_TEST_MODULE corpus
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"
#include "tlsrpt/pipeline.hpp"

#include <cstdlib>
#include <filesystem>
#include <sstream>

using namespace tlsrpt;
namespace fs = std::filesystem;

namespace {

fs::path corpus_dir() {
    if (const char* shared = std::getenv("TLSRPT_SHARED_DIR")) return fs::path(shared) / "corpus";
    return fs::path(TLSRPT_SOURCE_DIR) / ".." / "shared" / "corpus";
}

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, sep))
        out.push_back(field);
    if (!line.empty() && line.back() == sep) out.emplace_back();
    return out;
}

struct Totals {
    std::int64_t policies = 0, success = 0, failure = 0, details = 0, detail_sessions = 0;
    std::string ids;
};

Totals totals(const std::vector<Report>& reports) {
    Totals t;
    for (const Report& r : reports) {
        t.ids += (t.ids.empty() ? "" : "|") + r.organization_name + "|" + r.report_id;
        for (const Policy& p : r.policies) {
            ++t.policies;
            t.success += p.total_successful_session_count;
            t.failure += p.total_failure_session_count;
            for (const FailureDetail& d : p.failure_details) {
                ++t.details;
                t.detail_sessions += d.failed_session_count;
            }
        }
    }
    return t;
}

} // namespace

BOOST_AUTO_TEST_CASE(expected_figures) {
    const fs::path dir = corpus_dir();
    if (!fs::exists(dir / "EXPECTED.tsv")) {
        BOOST_TEST_MESSAGE("no corpus at " << dir << ": nothing to check");
        return;
    }
    std::istringstream tsv(test::read_file((dir / "EXPECTED.tsv").string()));
    std::string line;
    std::getline(tsv, line); // header
    int rows = 0;
    while (std::getline(tsv, line)) {
        const auto f = split(line, '\t');
        BOOST_REQUIRE_EQUAL(f.size(), 9u);
        ++rows;
        BOOST_TEST_CONTEXT(f[0] << " (" << f[1] << ")") {
            const auto result = read_reports(test::read_file((dir / "files" / f[0]).string()), {});
            if (f[1] == "reject") {
                BOOST_TEST(!result.ok());
                if (!result.ok()) BOOST_TEST(!result.error().message.empty());
                continue;
            }
            if (f[1] == "either") continue; // reaching here without a crash is the check
            BOOST_REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().describe()));
            const Totals t = totals(*result);
            BOOST_TEST(result->size() == std::stoul(f[2]));
            BOOST_TEST(t.ids == f[3]);
            BOOST_TEST(t.policies == std::stoll(f[4]));
            BOOST_TEST(t.success == std::stoll(f[5]));
            BOOST_TEST(t.failure == std::stoll(f[6]));
            BOOST_TEST(t.details == std::stoll(f[7]));
            BOOST_TEST(t.detail_sessions == std::stoll(f[8]));
        }
    }
    BOOST_TEST(rows > 0);
}
