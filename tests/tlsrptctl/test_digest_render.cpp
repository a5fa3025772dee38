// test_digest_render.cpp: the digest's pure forms (digest_render.hpp) on plain data: which
// domains a page shows and what it says of the rest, names shortened and made readable, and
// the same bounds in the HTML page and the text.
#define BOOST_TEST_MODULE digest_render
#include "digest_render.hpp"

#include <boost/test/unit_test.hpp>
#include <limits>

using namespace tlsrptctl::digest;

namespace {

dg::DomainDigest domain(const std::string& name, std::int64_t ok, std::int64_t failed) {
    dg::DomainDigest d;
    d.domain = name;
    d.reports = 1;
    d.successful = ok;
    d.failed = failed;
    d.days = {{"2026-11-30", 1, 0, ok, failed}};
    return d;
}

View view_of(std::vector<dg::DomainDigest> domains, std::size_t max_domains) {
    View v;
    v.digest.period = v.digest.previous = v.digest.chart = {"2026-11-30", "2026-11-30"};
    v.digest.domains = std::move(domains);
    v.max_domains = max_domains;
    v.generated = "2026-12-01T07:00:00Z";
    v.host = "mx.example.test";
    return v;
}

} // namespace

BOOST_AUTO_TEST_CASE(shorten_cuts_whole_characters_and_says_so) {
    BOOST_TEST(shorten("mx.example.com") == "mx.example.com");
    BOOST_TEST(shorten(std::string(100, 'a'), 10) == std::string(10, 'a') + "...");
    // "é" is two bytes: the cut falls between characters, never inside one
    BOOST_TEST(shorten("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == "\xC3\xA9\xC3\xA9...");
    BOOST_TEST(shorten("evil\xE2\x80\xAEmoc.elpmaxe") == "evil?moc.elpmaxe"); // U+202E
}

BOOST_AUTO_TEST_CASE(shown_keeps_the_worst_domains_and_counts_the_rest) {
    const View v = view_of({domain("a.example", 100, 0), domain("b.example", 90, 10),
                            domain("c.example", 50, 50), domain("d.example", 99, 1),
                            domain("e.example", 80, 10)},
                           2);
    const Shown s = shown(v);
    BOOST_REQUIRE(s.domains.size() == 2u);
    BOOST_TEST(s.domains[0]->domain == "c.example");
    BOOST_TEST(s.domains[1]->domain == "b.example"); // 10 failed, before e.example by name
    BOOST_TEST(s.more_domains == 3u);
    BOOST_TEST(s.more_successful == 100 + 99 + 80);
    BOOST_TEST(s.more_failed == 0 + 1 + 10);
    BOOST_TEST(more_domains_text(s) ==
               "3 more policy domains (279 successful and 11 failed sessions) not "
               "shown: --domain or --max-domains shows them.");
    BOOST_TEST(more_domains_text(shown(view_of({domain("a.example", 1, 0)}, 2))).empty());
}

// One signing domain cannot push the domains several reporters vouch for off the page, however
// many failures its reports claim; the sums of what is left out saturate.
BOOST_AUTO_TEST_CASE(flood_from_one_reporter_does_not_hide_vouched_domains) {
    std::vector<dg::DomainDigest> domains;
    for (int i = 0; i < 60; ++i) {
        domains.push_back(domain("flood" + std::to_string(i) + ".example", 0,
                                 std::numeric_limits<std::int64_t>::max() / 2));
        domains.back().signing_domains = 1;
    }
    domains.push_back(domain("victim.example", 900, 5));
    domains.back().signing_domains = 2;
    domains.push_back(domain("big.example", 9000, 1));
    domains.back().signing_domains = 7; // counts as three, as victim's two do not
    View v = view_of(std::move(domains), 10);
    al::Alert flood, victim;
    flood.evidence.domain = "flood0.example";
    victim.evidence.domain = "victim.example";
    flood.decision.severity = victim.decision.severity = al::Severity::critical;
    al::Alert warning = victim;
    warning.decision.severity = al::Severity::warning;
    v.alerts.alerts = {warning, flood, victim};
    v.max_alerts = 2;
    const Shown s = shown(v);
    BOOST_TEST(s.domains[0]->domain == "big.example");
    BOOST_TEST(s.domains[1]->domain == "victim.example");
    BOOST_TEST(s.more_failed == std::numeric_limits<std::int64_t>::max());
    // the subject's totals saturate too (UBSan in the sanitizer build sees any overflow)
    BOOST_TEST(subject(v).find("9,223,372,036,854,775,807 sessions") != std::string::npos);
    BOOST_REQUIRE(s.alerts.size() == 2u);
    BOOST_TEST(s.alerts[0]->evidence.domain == "victim.example"); // critical, vouched for
    BOOST_TEST(s.alerts[1]->evidence.domain == "flood0.example"); // critical
    BOOST_TEST(s.more_alerts == 1u);
    BOOST_TEST(more_alerts_text(s) ==
               "1 more alerts not shown: `tlsrptctl alerts` lists them all.");
}

BOOST_AUTO_TEST_CASE(page_and_text_show_only_what_fits) {
    std::vector<dg::DomainDigest> many;
    for (int i = 0; i < 300; ++i)
        many.push_back(domain("flood" + std::to_string(i) + ".example", 10, i % 5));
    many.push_back(domain(std::string(200, 'l') + ".example", 0, 1000));
    many.push_back(domain("evil\xE2\x80\xAEmoc.elpmaxe\xE2\x80\x8B.example", 0, 999));
    const View v = view_of(std::move(many), 50);
    const std::string page = html_page(v), text = text_body(v);
    for (const std::string& out : {page, text}) {
        BOOST_TEST(out.find("252 more policy domains") != std::string::npos);
        BOOST_TEST(out.find("\xE2\x80\xAE") == std::string::npos); // no bidi override
        BOOST_TEST(out.find("\xE2\x80\x8B") == std::string::npos); // no zero-width space
    }
    // the long name is cut where people read it; the page keeps it whole in data-domain only
    BOOST_TEST(text.find(std::string(65, 'l')) == std::string::npos);
    BOOST_TEST(text.find(std::string(64, 'l') + "...") != std::string::npos);
    BOOST_TEST(page.find(">" + std::string(64, 'l') + "...<") != std::string::npos);
    BOOST_TEST(page.find(">" + std::string(65, 'l')) == std::string::npos);
    std::size_t rows = 0;
    for (std::size_t at = page.find("<tr data-domain="); at != std::string::npos;
         at = page.find("<tr data-domain=", at + 1))
        ++rows;
    BOOST_TEST(rows == 50u);
    BOOST_TEST(page.size() < 400000u);
}
