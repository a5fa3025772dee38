// test_imap_protocol.cpp: the pure parts of the IMAP importer (imap_protocol.cpp), as tables:
// the mailbox URL and its refusals, quoting, and the untagged responses libcurl hands back.
#define BOOST_TEST_MODULE imap_protocol
#include <boost/test/unit_test.hpp>

#include "imap_protocol.hpp"

using namespace tlsrptctl::imap;

BOOST_AUTO_TEST_CASE(urls_parsed) {
    auto p = parse_url("imaps://tlsrpt%40example.com@mail.example.com/Reports%2FTLS");
    BOOST_TEST_REQUIRE(p.target.has_value(), p.error);
    BOOST_TEST(p.target->implicit_tls);
    BOOST_TEST(p.target->user == "tlsrpt@example.com");
    BOOST_TEST(p.target->host == "mail.example.com");
    BOOST_TEST(p.target->port == 993);
    BOOST_TEST(p.target->mailbox == "Reports/TLS");
    p = parse_url("IMAP://u@[2001:db8::1]:1143");
    BOOST_TEST_REQUIRE(p.target.has_value(), p.error);
    BOOST_TEST(!p.target->implicit_tls); // STARTTLS
    BOOST_TEST(p.target->host == "2001:db8::1");
    BOOST_TEST(p.target->port == 1143);
    BOOST_TEST(p.target->mailbox == "INBOX");
    BOOST_TEST(is_imap_url("imaps://x@y/"));
    BOOST_TEST(!is_imap_url("/var/mail/tlsrpt"));
    BOOST_TEST(describe(*parse_url("imaps://u@h:995/Box").target).find("u@h") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(urls_refused_with_a_reason) {
    struct Case {
        const char* url;
        const char* says;
    } cases[] = {
        {"https://u@h/INBOX", "not an imap"},      {"imaps://h/INBOX", "no user"},
        {"imaps://u:secret@h/INBOX", "password"},  {"imaps://u;AUTH=PLAIN@h/INBOX", "password"},
        {"imaps://%zz@h/INBOX", "%-escaped"},      {"imaps://u@/INBOX", "no host"},
        {"imaps://u@h_x/INBOX", "no host"},        {"imaps://u@h:0/INBOX", "port"},
        {"imaps://u@h:70000/INBOX", "port"},       {"imaps://u@[::1/INBOX", "unclosed"},
        {"imaps://u@h/INBOX;UID=5", "';' or '?'"}, {"imaps://u@h/Caf%C3%A9", "ASCII"},
        {"imaps://u@h/a%0Ab", "%-escaped"},
    };
    for (const Case& c : cases) {
        const auto p = parse_url(c.url);
        BOOST_TEST(!p.target.has_value(), c.url);
        BOOST_TEST(p.error.find(c.says) != std::string::npos, c.url << " -> " << p.error);
    }
}

BOOST_AUTO_TEST_CASE(mailbox_quoting) {
    BOOST_TEST(quote("INBOX").value() == "\"INBOX\"");
    BOOST_TEST(quote("a \"b\" \\c").value() == "\"a \\\"b\\\" \\\\c\"");
    BOOST_TEST(!quote("").has_value());
    BOOST_TEST(!quote("a\rb").has_value());
    BOOST_TEST(!quote("Caf\xc3\xa9").has_value());
    BOOST_TEST(with_delimiter("tlsrpt/processed", '.') == "tlsrpt.processed");
    BOOST_TEST(with_delimiter("tlsrpt/processed", '/') == "tlsrpt/processed");
}

BOOST_AUTO_TEST_CASE(listing_responses) {
    const auto listed = parse_sizes("* 1 FETCH (UID 10 FLAGS (\\Seen) RFC822.SIZE 2048)\r\n"
                                    "* 2 FETCH (UID 11 FLAGS (\\Seen \\Deleted) RFC822.SIZE 99)\r\n"
                                    "* 3 FETCH (FLAGS () UID 12 RFC822.SIZE 7)\r\nA9 OK done\r\n",
                                    true);
    BOOST_TEST(listed.size() == 2u); // the \Deleted one left out
    BOOST_TEST(listed.at(10) == 2048u);
    BOOST_TEST(listed.at(12) == 7u);
    BOOST_TEST(parse_sizes("* 2 FETCH (UID 11 FLAGS (\\Deleted) RFC822.SIZE 99)\r\n").size() == 1u);
    BOOST_TEST(parse_status_messages("* STATUS INBOX (MESSAGES 25001)\r\n").value() == 25001u);
    BOOST_TEST(parse_status_messages("* STATUS \"a (MESSAGES 9)\" (MESSAGES 3)\r\n").value() == 3u);
    BOOST_TEST(!parse_status_messages("A1 OK\r\n").has_value());
}

BOOST_AUTO_TEST_CASE(fetch_sizes_capabilities_list) {
    const auto sizes =
        parse_sizes("* 1 FETCH (UID 10 RFC822.SIZE 2048)\r\n* 2 FETCH (RFC822.SIZE 99 UID 11)\r\n"
                    "* 3 EXPUNGE\r\n");
    BOOST_TEST(sizes.size() == 2u);
    BOOST_TEST(sizes.at(10) == 2048u);
    BOOST_TEST(sizes.at(11) == 99u);
    const auto caps = parse_capabilities("* CAPABILITY IMAP4rev1 idle MOVE UIDPLUS\r\n");
    BOOST_TEST(caps.count("MOVE") == 1u);
    BOOST_TEST(caps.count("IDLE") == 1u);
    BOOST_TEST(parse_list_delimiter("* LIST (\\HasNoChildren) \".\" INBOX\r\n").value() == '.');
    BOOST_TEST(parse_list_delimiter("* LIST (\\Noselect) NIL \"\"\r\n").value() == '\0');
    BOOST_TEST(!parse_list_delimiter("A1 OK\r\n").has_value());
    BOOST_TEST(has_list_line("* LIST () \"/\" tlsrpt/processed\r\n"));
    BOOST_TEST(!has_list_line("A1 OK LIST done\r\n"));
}
