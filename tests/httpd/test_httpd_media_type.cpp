// test_httpd_media_type.cpp: which labels may carry a report (media_type.cpp, RFC 8460 §5.4,
// §6.4-6.5, the receiver digest §3's leniency) and body sniffing.
#define BOOST_TEST_MODULE httpd_media_type
#include <boost/test/unit_test.hpp>

#include "media_type.hpp"

#include <string>

using namespace httpd;

BOOST_AUTO_TEST_CASE(registered_and_lenient_labels_accepted) {
    for (const char* t :
         {"application/tlsrpt+gzip", "application/tlsrpt+json", "Application/TLSRPT+JSON",
          "application/json; charset=utf-8", "application/gzip", "application/octet-stream",
          "application/x-www-form-urlencoded", ""})
        BOOST_TEST(classify_media(t, "").acceptable, t);
    BOOST_TEST(classify_media("application/json", "gzip").acceptable);
    BOOST_TEST(classify_media("application/json", "identity").acceptable);
}

BOOST_AUTO_TEST_CASE(labels_that_cannot_be_a_report_refused_by_name) {
    for (const char* t : {"text/html", "image/png", "multipart/form-data; boundary=x"}) {
        const MediaVerdict v = classify_media(t, "");
        BOOST_TEST(!v.acceptable, t);
        BOOST_TEST(v.reason.find(std::string(t).substr(0, 9)) != std::string::npos, v.reason);
    }
    const MediaVerdict br = classify_media("application/json", "br");
    BOOST_TEST(!br.acceptable);
    BOOST_TEST(br.reason.find("br") != std::string::npos, br.reason);
}

BOOST_AUTO_TEST_CASE(sniffing) {
    BOOST_TEST((sniff_body("\x1f\x8b\x08") == BodyKind::gzip));
    BOOST_TEST((sniff_body("  \r\n{\"a\":1}") == BodyKind::json));
    BOOST_TEST((sniff_body("\xEF\xBB\xBF{") == BodyKind::json));
    BOOST_TEST((sniff_body("<html>") == BodyKind::other));
    BOOST_TEST((sniff_body("[1]") == BodyKind::other)); // a report is an object
}
