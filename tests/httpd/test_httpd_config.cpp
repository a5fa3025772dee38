// test_httpd_config.cpp: tlsrpt-httpd's settings table (config_settings.cpp, config.cpp):
// defaults, parsing, refusals naming file:line, the cross-setting checks, and the generated
// sample parsing back.
#define BOOST_TEST_MODULE httpd_config
#include <boost/test/unit_test.hpp>

#include "config.hpp"
#include "server.hpp"

#include <sstream>

using namespace httpd;

namespace {

std::string error_of(const std::string& text) {
    try {
        validate(parse_config(text, "t.conf"), "t.conf");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

std::string uncommented_sample() {
    std::string out, line;
    std::istringstream in(dump_config());
    while (std::getline(in, line))
        if (line.size() > 1 && line[0] == '#' && line[1] != ' ') out += line.substr(1) + "\n";
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(defaults) {
    const Config c = default_config();
    BOOST_TEST(c.listen == std::vector<std::string>{"127.0.0.1:8460"});
    BOOST_TEST((c.paths == std::vector<std::string>{"/v1/tlsrpt", "/"}));
    BOOST_TEST(c.spool_directory == "/var/spool/tlsrpt-httpd");
    BOOST_TEST(c.max_report_size == 4u << 20);
    BOOST_TEST(c.rate_limit.per_second == 10);
    BOOST_TEST(c.rate_limit.burst == 100);
    BOOST_TEST(c.tls_certificate.empty());
    BOOST_TEST(c.syslog);
}

BOOST_AUTO_TEST_CASE(listen_repeats_and_replaces_the_default) {
    const Config c = parse_config("Listen 192.0.2.1:443\nlisten [::1]:8460\n", "t.conf");
    BOOST_TEST((c.listen == std::vector<std::string>{"192.0.2.1:443", "[::1]:8460"}));
}

BOOST_AUTO_TEST_CASE(values_parsed) {
    const Config c = parse_config("RateLimit 0.5 20\nAllowFrom 192.0.2.0/24\nMaxReportSize 1m\n"
                                  "Paths /a, /b/c\nBodyTimeout 5s\n",
                                  "t.conf");
    BOOST_TEST(c.rate_limit.per_second == 0.5);
    BOOST_TEST(c.rate_limit.burst == 20);
    BOOST_TEST(c.allow_from.size() == 1u);
    BOOST_TEST(c.max_report_size == 1u << 20);
    BOOST_TEST((c.paths == std::vector<std::string>{"/a", "/b/c"}));
    BOOST_TEST(c.body_timeout.count() == 5000);
    BOOST_TEST(parse_config("RateLimit 0\n", "t").rate_limit.per_second == 0);
}

BOOST_AUTO_TEST_CASE(refusals_name_the_line_and_the_setting) {
    struct Case {
        const char* text;
        const char* says;
    } cases[] = {
        {"\nRateLimit fast\n", "t.conf:2"},
        {"RateLimit 10\n", "RATE BURST"},
        {"AllowFrom 10.0.0.0/40\n", "AllowFrom"},
        {"Paths v1/tlsrpt\n", "Paths"},
        {"Listen localhost\n", "Listen"},
        {"Listen [::1]\n", "[IPv6]:PORT"},
        {"SpoolDirectory spool\n", "absolute"},
        {"ReadTimeout 0s\n", "ReadTimeout"},
        {"NoSuchKey 1\n", "unknown setting"},
        {"Paths /a\nPaths /b\n", "Paths"},
        {"TLSCertificate /c.pem\n", "TLSKey"},
        {"SpoolMaxBytes 64k\nMaxReportSize 1m\n", "SpoolMaxBytes"},
    };
    for (const Case& c : cases) {
        const std::string e = error_of(c.text);
        BOOST_TEST(e.find(c.says) != std::string::npos, c.text << " -> " << e);
    }
}

BOOST_AUTO_TEST_CASE(sample_parses_back) {
    BOOST_TEST(error_of(dump_config()) == "");
    const Config c = parse_config(uncommented_sample(), "sample");
    BOOST_TEST(c.user_id == "tlsrpt-httpd"); // the example values
    BOOST_TEST(c.metrics_listen == "127.0.0.1:9461");
}

// tlsrpt-httpd.conf(5) comes from the same table: every setting of the sample is a tagged
// paragraph of the page, and the page starts as a section 5 page.
BOOST_AUTO_TEST_CASE(man_page_has_every_setting) {
    const std::string man = man_config();
    BOOST_TEST(man.rfind(".TH TLSRPT\\-HTTPD.CONF 5 ", 0) == 0);
    std::istringstream sample(uncommented_sample());
    std::string line;
    int settings = 0;
    while (std::getline(sample, line)) {
        const std::string key = line.substr(0, line.find(' '));
        ++settings;
        BOOST_TEST(man.find(".BI \"" + key + " \" value\n") != std::string::npos, key);
    }
    BOOST_TEST(settings > 20);
}

BOOST_AUTO_TEST_CASE(client_address_behind_a_proxy) {
    const auto proxies = parse_cidr_list("127.0.0.1");
    BOOST_TEST(client_address("192.0.2.1", "10.0.0.1", proxies) == "192.0.2.1"); // not a proxy
    BOOST_TEST(client_address("127.0.0.1", "198.51.100.7, 10.0.0.1", proxies) == "10.0.0.1");
    BOOST_TEST(client_address("127.0.0.1", nullptr, proxies) == "127.0.0.1");
    BOOST_TEST(client_address("127.0.0.1", "garbage", proxies) == "127.0.0.1");
    BOOST_TEST(client_address("127.0.0.1", "10.0.0.1", {}) == "127.0.0.1"); // no proxies trusted
}
