// test_milter_config.cpp: the settings table (config.cpp): defaults, parsing, refusals naming
// file:line, and the generated sample parsing back to the defaults.
#define BOOST_TEST_MODULE milter_config
#include <boost/test/unit_test.hpp>

#include "config.hpp"

using namespace milter;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "t.conf");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

// The sample with every "#Key value" line uncommented.
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
    BOOST_TEST(c.socket == "unix:/run/tlsrpt-milter/tlsrpt-milter.sock");
    BOOST_TEST(c.umask == 07u);
    BOOST_TEST(c.database == "dbname=tlsrpt");
    BOOST_TEST(c.report_addresses.empty());
    BOOST_TEST((c.on_invalid == OnInvalid::quarantine));
    // RFC 8460 §3: verified in the milter and required, out of the box
    BOOST_TEST(c.dkim_verify);
    BOOST_TEST(c.require_dkim);
    BOOST_TEST(c.resolver == "system");
    BOOST_TEST(c.trust_anchor.empty());
    BOOST_TEST(c.dns_timeout.count() == 5000);
    BOOST_TEST(c.max_dkim_signatures == 8u);
    BOOST_TEST(c.max_message_size == 16u << 20);
    BOOST_TEST(c.limits.max_message_size == 16u << 20);
    BOOST_TEST(c.limits.max_decompressed_size == 8u << 20);
    BOOST_TEST(c.limits.max_failure_details == 50000u);
    BOOST_TEST(c.limits.max_header_lines == 5000u);
    BOOST_TEST(c.limits.max_json_values == 500000u);
    // the table's defaults are the library's: one source of truth for the reader's bounds
    const tlsrpt::Limits lib;
    BOOST_TEST(c.limits.max_mime_parts == lib.max_mime_parts);
    BOOST_TEST(c.limits.max_policies == lib.max_policies);
    BOOST_TEST(c.limits.max_string_length == lib.max_string_length);
    BOOST_TEST(c.database_timeout.count() == 10000);
    BOOST_TEST(c.database_pool_size == 4u);
    BOOST_TEST(c.syslog);
}

BOOST_AUTO_TEST_CASE(parses_every_kind_of_value) {
    const Config c = parse_config("# comment\n"
                                  "  Socket   inet:10026@127.0.0.1  \n"
                                  "reportaddresses <TLSRPT@Example.com>, tls@example.net # two\n"
                                  "OnInvalid reject\n"
                                  "RequireDKIM no\n"
                                  "DKIMVerify no\n"
                                  "Resolver [::1]:5353\n"
                                  "DNSTimeout 1500ms\n"
                                  "TrustedAuthservIDs mx.example.com, mx2.example.com\n"
                                  "MaxMessageSize 2M\n"
                                  "MaxReportSize 512k\n"
                                  "DatabaseTimeout 250ms\n"
                                  "DatabasePoolSize 8\n"
                                  "UMask 027\n"
                                  "Database host=db password=a#b\n"
                                  "Syslog no\n",
                                  "t.conf");
    BOOST_TEST(c.socket == "inet:10026@127.0.0.1");
    BOOST_TEST(c.report_addresses ==
               (std::vector<std::string>{"tlsrpt@example.com", "tls@example.net"}));
    BOOST_TEST((c.on_invalid == OnInvalid::reject));
    BOOST_TEST(!c.require_dkim);
    BOOST_TEST(!c.dkim_verify);
    BOOST_TEST(c.resolver == "[::1]:5353");
    BOOST_TEST(c.dns_timeout.count() == 1500);
    BOOST_TEST(c.trusted_authserv_ids.size() == 2u);
    BOOST_TEST(c.max_message_size == 2u << 20);
    BOOST_TEST(c.limits.max_decompressed_size == 512u << 10);
    BOOST_TEST(c.database_timeout.count() == 250);
    BOOST_TEST(c.database_pool_size == 8u);
    BOOST_TEST(c.umask == 027u);
    BOOST_TEST(c.database == "host=db password=a#b"); // '#' inside a word is no comment
    BOOST_TEST(!c.syslog);
}

BOOST_AUTO_TEST_CASE(refusals_name_file_and_line) {
    struct Row {
        const char* text;
        const char* expect;
    };
    const Row rows[] = {
        {"Socket unix:/x\nBogus 1\n", "t.conf:2: unknown setting 'Bogus'"},
        {"OnInvalid maybe\n", "t.conf:1: bad value 'maybe' for OnInvalid"},
        {"RequireDKIM perhaps\n", "t.conf:1: bad value 'perhaps' for RequireDKIM"},
        {"MaxMessageSize 12X\n", "t.conf:1: bad value '12X' for MaxMessageSize"},
        {"MaxMessageSize -1\n", "t.conf:1: bad value '-1' for MaxMessageSize"},
        {"DatabasePoolSize 0\n", "t.conf:1: bad value '0' for DatabasePoolSize"},
        {"DatabaseTimeout 0\n", "t.conf:1: bad value '0' for DatabaseTimeout"},
        {"Socket /tmp/sock\n", "t.conf:1: bad value '/tmp/sock' for Socket"},
        {"Resolver dns.example\n", "t.conf:1: bad value 'dns.example' for Resolver"},
        {"Resolver 127.0.0.1:99999\n", "t.conf:1: bad value '127.0.0.1:99999' for Resolver"},
        {"DNSTimeout 0\n", "t.conf:1: bad value '0' for DNSTimeout"},
        {"UMask 9\n", "t.conf:1: bad value '9' for UMask"},
        {"ReportAddresses nobody\n", "t.conf:1: bad value 'nobody' for ReportAddresses"},
        {"\n\nSyslog no\nsyslog yes\n", "t.conf:4: Syslog already set at line 3"},
    };
    for (const Row& r : rows) {
        BOOST_TEST_CONTEXT(r.text) {
            const std::string e = error_of(r.text);
            BOOST_TEST(e.rfind(r.expect, 0) == 0, "got: " << e);
        }
    }
}

BOOST_AUTO_TEST_CASE(validate_wants_report_addresses) {
    BOOST_CHECK_THROW(validate(parse_config("", "t.conf"), "t.conf"), ConfigError);
    BOOST_CHECK_NO_THROW(validate(parse_config("ReportAddresses a@b.example\n", "t"), "t"));
}

BOOST_AUTO_TEST_CASE(missing_file_is_named) {
    try {
        load_config("/nonexistent/tlsrpt-milter.conf");
        BOOST_FAIL("no exception");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()).find("/nonexistent/tlsrpt-milter.conf") == 0u);
    }
}

BOOST_AUTO_TEST_CASE(command_line_overrides_go_through_the_table) {
    Config c = default_config();
    set_setting(c, "Socket", "inet:9999@localhost", "-p");
    BOOST_TEST(c.socket == "inet:9999@localhost");
    BOOST_CHECK_THROW(set_setting(c, "Socket", "nonsense", "-p"), ConfigError);
}

BOOST_AUTO_TEST_CASE(sample_documents_every_setting_and_parses_back) {
    const std::string sample = dump_config();
    for (const char* key : {"Socket", "UserID", "PidFile", "UMask", "Database", "ReportAddresses",
                            "OnInvalid", "RequireDKIM", "TrustedAuthservIDs", "MaxMessageSize",
                            "MaxReportSize", "DatabaseTimeout", "DatabasePoolSize", "Syslog"})
        BOOST_TEST(sample.find("\n#" + std::string(key) + " ") != std::string::npos, key);
    // Every line of the sample is a comment, and uncommented it is a valid configuration.
    const Config c = parse_config(uncommented_sample(), "sample");
    BOOST_CHECK_NO_THROW(validate(c, "sample"));
    BOOST_TEST(c.max_message_size == default_config().max_message_size);
}

// tlsrpt-milter.conf(5) comes from the same table: every setting of the sample is a tagged
// paragraph with its default, and no line starts with a roff control character by accident.
BOOST_AUTO_TEST_CASE(man_page_has_every_setting) {
    const std::string man = man_config();
    BOOST_TEST(man.rfind(".TH TLSRPT\\-MILTER.CONF 5 ", 0) == 0);
    std::istringstream sample(dump_config());
    std::string line;
    int settings = 0;
    while (std::getline(sample, line)) {
        if (line.size() < 2 || line[0] != '#' || line[1] == ' ') continue;
        const std::string key = line.substr(1, line.find(' ') - 1);
        ++settings;
        BOOST_TEST(man.find(".BI \"" + key + " \" value\n") != std::string::npos, key);
    }
    BOOST_TEST(settings > 30);
    BOOST_TEST(man.find("Default: \\fBdbname=tlsrpt\\fR.") != std::string::npos);
    std::istringstream lines(man);
    while (std::getline(lines, line))
        if (!line.empty() && (line[0] == '.' || line[0] == '\''))
            BOOST_TEST((line.size() > 1 && std::isalpha(static_cast<unsigned char>(line[1])) != 0 ||
                        line.rfind(".\\\"", 0) == 0),
                       line);
}

BOOST_AUTO_TEST_CASE(size_and_duration_parsers) {
    BOOST_TEST(parse_size("0") == 0u);
    BOOST_TEST(parse_size("10k") == 10240u);
    BOOST_TEST(parse_size("1G") == 1u << 30);
    BOOST_CHECK_THROW(parse_size("k"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_size("99999999999999999999"), std::exception);
    BOOST_TEST(parse_duration("3").count() == 3000);
    BOOST_TEST(parse_duration("3s").count() == 3000);
    BOOST_TEST(parse_duration("40ms").count() == 40);
    BOOST_TEST(parse_duration("3h").count() == 3 * 3600 * 1000);
    BOOST_CHECK_THROW(parse_duration("3d"), std::invalid_argument);
    BOOST_TEST(parse_bool("Yes"));
    BOOST_TEST(!parse_bool("off"));
}
