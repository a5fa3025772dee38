// test_dkim_rule.cpp: the RFC 8460 §3 DKIM rule (dkim_rule.cpp) on plain data: one table of
// signature facts -> per-signature result, one of signature sets -> report verdict, and the
// alignment rule. Real signatures through libopendkim and a DNS server: tests/dkim/verify.sh.
#define BOOST_TEST_MODULE dkim_rule
#include <boost/test/unit_test.hpp>

#include "tlsrpt/dkim_rule.hpp"
#include "tlsrpt/dkim_verify.hpp"

using namespace tlsrpt;

namespace {

// A signature of reporter.example that passed in every respect.
SignatureFacts good(std::string domain = "reporter.example") {
    SignatureFacts f;
    f.domain = std::move(domain);
    f.selector = "sel";
    f.algorithm = "rsa-sha256";
    f.header_verified = true;
    f.body_verified = true;
    f.key_bits = 2048;
    f.dnssec = "unknown";
    return f;
}

template <typename Change> SignatureFacts with(Change change) {
    SignatureFacts f = good();
    change(f);
    return f;
}

SignatureCheck check(const char* domain, const char* result) {
    SignatureCheck c;
    c.domain = domain;
    c.selector = "sel";
    c.result = result;
    if (std::string(result) != "pass") c.reason = std::string("it is ") + result;
    return c;
}

} // namespace

BOOST_AUTO_TEST_CASE(each_signature) {
    struct Row {
        const char* name;
        SignatureFacts facts;
        const char* result;
        const char* reason_part; // "" for pass
    };
    const Row rows[] = {
        {"pass", good(), "pass", ""},
        {"body changed", with([](auto& f) { f.body_verified = false; }), "fail", "body changed"},
        {"body not checked", with([](auto& f) { f.body_verified.reset(); }), "fail", "not checked"},
        {"header changed", with([](auto& f) {
             f.header_verified = false;
             f.error = SigError::bad_signature;
         }),
         "fail", "header hash"},
        {"l= tag", with([](auto& f) { f.has_length_tag = true; }), "policy", "l="},
        {"s=email", with([](auto& f) { f.key_services = {{"email"}}; }), "pass", ""},
        {"s=tlsrpt", with([](auto& f) { f.key_services = {{"tlsrpt"}}; }), "pass", ""},
        {"s=*", with([](auto& f) { f.key_services = {{"*"}}; }), "pass", ""},
        {"s=foo:tlsrpt", with([](auto& f) {
             f.key_services = {{"foo", "TLSRPT"}};
         }),
         "pass", ""},
        {"s=foo", with([](auto& f) { f.key_services = {{"foo"}}; }), "policy", "s=foo"},
        {"rsa-sha1", with([](auto& f) { f.algorithm = "rsa-sha1"; }), "policy", "rsa-sha1"},
        {"512-bit key", with([](auto& f) { f.key_bits = 512; }), "policy", "512-bit"},
        {"library says too small", with([](auto& f) { f.error = SigError::key_too_small; }),
         "policy", "too small"},
        {"ed25519", with([](auto& f) {
             f.algorithm = "ed25519-sha256";
             f.key_bits = 256; // an ed25519 key is 256 bits and strong: only RSA is sized
         }),
         "pass", ""},
        {"no key", with([](auto& f) { f.key_lookup = KeyLookup::not_found; }), "permerror",
         "no key published at sel._domainkey.reporter.example"},
        {"dns timeout", with([](auto& f) {
             f.key_lookup = KeyLookup::temporary;
             f.error_text = "no answer";
         }),
         "temperror", "no answer"},
        {"dnssec bogus", with([](auto& f) { f.key_lookup = KeyLookup::bogus; }), "permerror",
         "DNSSEC"},
        {"revoked key", with([](auto& f) {
             f.header_verified = false;
             f.error = SigError::key_unusable;
         }),
         "permerror", "unusable"},
        {"too many signatures", with([](auto& f) { f.key_lookup = KeyLookup::skipped; }), "neutral",
         "too many"},
    };
    for (const Row& r : rows) {
        const SignatureCheck c = check_signature(r.facts);
        BOOST_TEST(c.result == r.result, r.name << ": " << c.result << " (" << c.reason << ")");
        BOOST_TEST(c.reason.find(r.reason_part) != std::string::npos, r.name << ": " << c.reason);
        BOOST_TEST(c.reason.empty() == (std::string(r.result) == "pass"), r.name);
        BOOST_TEST(c.domain == "reporter.example");
        BOOST_TEST(c.source == "milter");
    }
}

BOOST_AUTO_TEST_CASE(ed25519_keys_are_not_rsa_sized) {
    // RFC 8463 keys are 256 bits; the 1024-bit minimum (RFC 8301) is for RSA only.
    SignatureFacts f = good();
    f.algorithm = "ed25519-sha256";
    f.key_bits = 256;
    BOOST_TEST(check_signature(f).result == "pass");
}

BOOST_AUTO_TEST_CASE(report_verdict) {
    struct Row {
        const char* name;
        std::vector<SignatureCheck> checks;
        const char* reporter;
        const char* result;
        bool authenticated;
        bool temporary;
        const char* domain;
    };
    const Row rows[] = {
        {"pass",
         {check("reporter.example", "pass")},
         "reporter.example",
         "pass",
         true,
         false,
         "reporter.example"},
        {"parent signs",
         {check("reporter.example", "pass")},
         "mail.reporter.example",
         "pass",
         true,
         false,
         "reporter.example"},
        {"child signs",
         {check("mx.reporter.example", "pass")},
         "reporter.example",
         "pass",
         true,
         false,
         "mx.reporter.example"},
        {"unaligned pass",
         {check("other.example", "pass")},
         "reporter.example",
         "pass",
         false,
         false,
         "other.example"},
        {"two, one good",
         {check("reporter.example", "fail"), check("other.example", "pass"),
          check("reporter.example", "pass")},
         "reporter.example",
         "pass",
         true,
         false,
         "reporter.example"},
        {"aligned failure beats unaligned pass",
         {check("other.example", "pass"), check("reporter.example", "fail")},
         "reporter.example",
         "fail",
         false,
         false,
         "reporter.example"},
        {"aligned temperror",
         {check("reporter.example", "temperror")},
         "reporter.example",
         "temperror",
         false,
         true,
         "reporter.example"},
        {"temperror yields to a pass",
         {check("reporter.example", "temperror"), check("reporter.example", "pass")},
         "reporter.example",
         "pass",
         true,
         false,
         "reporter.example"},
        {"unaligned temperror is final",
         {check("other.example", "temperror")},
         "reporter.example",
         "temperror",
         false,
         false,
         "other.example"},
        {"no signature", {}, "reporter.example", "none", false, false, ""},
        {"no reporter",
         {check("reporter.example", "pass")},
         "",
         "pass",
         false,
         false,
         "reporter.example"},
        {"bare TLD",
         {check("example", "pass")},
         "reporter.example",
         "pass",
         false,
         false,
         "example"},
    };
    for (const Row& r : rows) {
        const DkimAssessment a = assess_dkim(r.checks, r.reporter);
        BOOST_TEST(a.result == r.result, r.name << ": " << a.result);
        BOOST_TEST(a.authenticated == r.authenticated, r.name);
        BOOST_TEST(a.temporary == r.temporary, r.name);
        BOOST_TEST(a.domain == r.domain, r.name << ": " << a.domain);
        BOOST_TEST(a.reason.empty() == r.authenticated, r.name << ": " << a.reason);
    }
}

BOOST_AUTO_TEST_CASE(reasons_name_the_signature) {
    const DkimAssessment a = assess_dkim({check("reporter.example", "fail")}, "reporter.example");
    BOOST_TEST(a.reason ==
               "no valid DKIM signature by reporter.example: d=reporter.example s=sel: it is fail");
    const DkimAssessment u = assess_dkim({check("other.example", "pass")}, "reporter.example");
    BOOST_TEST(u.reason.find("d=other.example s=sel: pass (not aligned)") != std::string::npos,
               u.reason);
}

// The storage key's domain: contact-info's domain, else organization-name. A report without
// contact-info cannot be claimed by a signature of another domain.
BOOST_AUTO_TEST_CASE(alignment_domain_is_the_storage_key) {
    Report rep;
    rep.contact_info = "mailto:TLS-Reports@Reporter.Example";
    BOOST_TEST(dkim_alignment_domain(rep) == "reporter.example");
    Report no_contact;
    no_contact.organization_name = "google.com";
    no_contact.headers.tls_report_submitter = "attacker.example";
    BOOST_TEST(dkim_alignment_domain(no_contact) == "google.com");
    BOOST_TEST(!assess_dkim({check("attacker.example", "pass")}, "google.com").authenticated);
    const auto both = assess_reports({check("reporter.example", "pass")}, {rep, no_contact});
    BOOST_REQUIRE_EQUAL(both.size(), 2u);
    BOOST_TEST(both[0].authenticated);
    BOOST_TEST(!both[1].authenticated);
}

BOOST_AUTO_TEST_CASE(alignment_rule) {
    struct Row {
        const char* signer;
        const char* reporter;
        bool aligned;
    };
    const Row rows[] = {
        {"google.com", "google.com", true},
        {"Google.COM.", "google.com", true},
        {"google.com", "mail.google.com", true}, // parent signs for child
        {"mail.google.com", "google.com", true}, // child signs for parent
        {"evilgoogle.com", "google.com", false}, // not on a label boundary
        {"google.com.evil.example", "google.com", false},
        {"com", "google.com", false}, // a bare TLD never vouches
        {"example.org", "google.com", false},
        {"", "google.com", false},
        {"google.com", "", false},
    };
    for (const Row& r : rows)
        BOOST_TEST(dkim_domain_aligned(r.signer, r.reporter) == r.aligned,
                   r.signer << " vs " << r.reporter);
}

BOOST_AUTO_TEST_CASE(key_services) {
    BOOST_TEST(key_allows_tlsrpt(std::nullopt));
    BOOST_TEST(key_allows_tlsrpt(std::vector<std::string>{"*"}));
    BOOST_TEST(key_allows_tlsrpt(std::vector<std::string>{"email"}));
    BOOST_TEST(key_allows_tlsrpt(std::vector<std::string>{"foo", "tlsrpt"}));
    BOOST_TEST(!key_allows_tlsrpt(std::vector<std::string>{"foo"}));
    BOOST_TEST(!key_allows_tlsrpt(std::vector<std::string>{}));
}

// What libopendkim is handed: a tlsrpt-only key becomes an e-mail key; others stay as sent.
BOOST_AUTO_TEST_CASE(key_record_rewrite) {
    std::optional<std::vector<std::string>> services;
    BOOST_TEST(key_record_for_library("v=DKIM1; k=rsa; s=tlsrpt; p=AB==", services) ==
               "v=DKIM1; k=rsa; s=email; p=AB==");
    BOOST_REQUIRE(services.has_value());
    BOOST_TEST(services->size() == 1u);
    BOOST_TEST(key_record_for_library("v=DKIM1;s = foo : bar;p=AB", services) ==
               "v=DKIM1;s = foo : bar;p=AB");
    BOOST_TEST(services->size() == 2u);
    BOOST_TEST(key_record_for_library("v=DKIM1;s=*;p=AB", services) == "v=DKIM1;s=email;p=AB");
    // RFC 6376 §3.2: a duplicated tag makes the record invalid; nothing allowed, kept as sent
    BOOST_TEST(key_record_for_library("s=tlsrpt; s=foo; p=AB", services) ==
               "s=tlsrpt; s=foo; p=AB");
    BOOST_REQUIRE(services.has_value());
    BOOST_TEST(!key_allows_tlsrpt(services));
    BOOST_TEST(key_record_for_library("v=DKIM1; p=AB", services) == "v=DKIM1; p=AB");
    BOOST_TEST(!services.has_value());
}
