// test_pipeline.cpp: the stages composed (pipeline.cpp): every input form gives the same report,
// refusals name the part, and hostile bytes never crash (run under ASan+UBSan too).
#define BOOST_TEST_MODULE pipeline
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"
#include "tlsrpt/pipeline.hpp"

#include <random>

using namespace tlsrpt;

BOOST_AUTO_TEST_CASE(detects_input_kinds) {
    BOOST_TEST((detect_input(test::fixture("report.json")) == InputKind::json));
    BOOST_TEST((detect_input(test::fixture("report.json.gz")) == InputKind::gzip));
    BOOST_TEST((detect_input(test::fixture("report.zip")) == InputKind::zip));
    BOOST_TEST((detect_input(test::fixture("mime/base64-gzip-lf.eml")) == InputKind::message));
}

BOOST_AUTO_TEST_CASE(every_form_reads_the_same_report) {
    for (const char* file :
         {"report.json", "report.json.gz", "report.zip", "mime/base64-gzip-crlf.eml",
          "mime/qp-json.eml", "mime/zip-attachment.eml", "mime/whole-body-json.eml"}) {
        BOOST_TEST_CONTEXT(file) {
            const auto r = read_reports(test::fixture(file), {});
            BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
            BOOST_REQUIRE_EQUAL(r->size(), 1u);
            BOOST_TEST(r->front().report_id == "2026-03-01_mailer-42");
            BOOST_TEST(r->front().policies[0].failure_details.size() == 2u);
        }
    }
}

BOOST_AUTO_TEST_CASE(message_headers_reach_the_report) {
    const auto r = read_reports(test::fixture("mime/base64-gzip-lf.eml"), {});
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->front().headers.tls_report_domain == "receiver.example");
    BOOST_TEST(r->front().part_name.find(".json.gz") != std::string::npos);
    const auto bare = read_reports(test::fixture("report.json"), {});
    BOOST_TEST(bare->front().headers.empty());
}

BOOST_AUTO_TEST_CASE(two_reports_in_one_message) {
    const auto r = read_reports(test::fixture("mime/two-reports.eml"), {});
    BOOST_REQUIRE(r.ok());
    BOOST_REQUIRE_EQUAL(r->size(), 2u);
    BOOST_TEST(r->at(1).report_id == "2026-03-01_mailer-43");
}

BOOST_AUTO_TEST_CASE(refusals_name_the_part) {
    auto r = read_reports(test::fixture("mime/corrupt-gzip.eml"), {});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("part broken.json.gz: gzip") != std::string::npos,
               r.error().message);
    r = read_reports(test::fixture("refuse/truncated.json.gz"), {});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("truncated") != std::string::npos);
    r = read_reports(test::gzip("plain text, not json"), {});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST((r.error().kind == ErrorKind::not_a_report));
    Limits small;
    small.max_message_size = 10;
    BOOST_TEST(!read_reports(test::fixture("report.json"), small).ok());
}

// Mutates valid inputs at random (fixed seed, bounded count): whatever the bytes, the pipeline
// returns a value. Under the sanitizer build this also proves no out-of-bounds access.
BOOST_AUTO_TEST_CASE(hostile_bytes_never_crash) {
    std::mt19937 rng(8460);
    const std::string seeds[] = {test::fixture("mime/base64-gzip-lf.eml"),
                                 test::fixture("mime/qp-json.eml"),
                                 test::fixture("report.json"),
                                 test::fixture("report.json.gz"),
                                 test::fixture("report.zip"),
                                 test::fixture("mime/nested-forward.eml")};
    std::size_t ok = 0, refused = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string bytes = seeds[round % std::size(seeds)];
        const int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits && !bytes.empty(); ++e) {
            const std::size_t at = rng() % bytes.size();
            switch (rng() % 4) {
            case 0:
                bytes[at] = static_cast<char>(rng());
                break;
            case 1:
                bytes.erase(at, 1 + rng() % 16);
                break;
            case 2:
                bytes.insert(at, std::string(1 + rng() % 4, "{[\"\\\n-="[rng() % 8]));
                break;
            case 3:
                bytes.resize(at);
                break;
            }
        }
        const auto r = read_reports(bytes, {});
        (r.ok() ? ok : refused)++;
        if (!r.ok()) BOOST_REQUIRE(!r.error().message.empty());
    }
    BOOST_TEST(ok + refused == 3000u);
    BOOST_TEST(refused > 0u);
}

BOOST_AUTO_TEST_CASE(report_header_checks_of_rfc8460_5_3) {
    auto r = read_reports(test::fixture("mime/base64-gzip-lf.eml"), {});
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->front().quirks.empty());
    // test::report_email says the submitter is mailer.example; this report names another
    std::string json = test::fixture("report.json");
    json.replace(json.find("mailer.example"), 14, "elsewhere.test");
    r = read_reports(test::report_email(json), {});
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->front().has_quirk("submitter-mismatch"));
    r = read_reports("Subject: no tls headers\r\nContent-Type: application/tlsrpt+json\r\n\r\n" +
                         test::fixture("report.json"),
                     {});
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->front().has_quirk("report-headers-missing"));
}
