// test_store_digest.cpp: the digest's figures (store/digest.hpp) read from a real PostgreSQL:
// failures broken down under each report's representative policy type so that they add up to
// the failed sessions (migration 008), and the signing domains that vouch for a policy domain,
// counted by registered domain (last two labels) so that one key cannot multiply itself.
#define BOOST_TEST_MODULE store_digest
#include <boost/test/unit_test.hpp>

#include "store/digest.hpp"
#include "store_test.hpp"
#include "tlsrpt/store.hpp"

#include <map>

using namespace tlsrpt::store;
using storetest::Detail;
using storetest::PolicyJson;
using storetest::ReportJson;
using storetest::TestDatabase;

namespace {

const std::string the_day = "2026-03-09";

TestDatabase& db() {
    static TestDatabase instance("digest");
    return instance;
}

PolicyJson policy(const std::string& type, const std::string& domain, std::int64_t failed,
                  const std::string& result_type) {
    PolicyJson p;
    p.type = type;
    p.domain = domain;
    if (type == "tlsa") p.strings = {"3 1 1 0123456789abcdef"};
    p.mx_host = {"mx1." + domain};
    p.successful = 100;
    p.failed = failed;
    Detail d;
    d.result_type = result_type;
    d.receiving_mx_hostname = "mx1." + domain;
    d.failed_session_count = failed;
    p.details = {d};
    return p;
}

// Stores a report of `reporter` signed (and authenticated) by `signer`.
void store(const std::string& reporter, const std::string& signer, const std::string& id,
           std::vector<PolicyJson> policies) {
    ReportJson r;
    r.organization_name = reporter;
    r.contact_info = "tlsrpt@" + reporter;
    r.report_id = id;
    r.day = the_day;
    r.policies = std::move(policies);
    DkimInfo dkim{"pass", signer, "s1", "ed25519-sha256", "milter", "insecure", true, ""};
    Store s(db().conninfo());
    const auto out =
        s.store_report(storetest::read_one(storetest::report_message(r.json(), r.report_id)),
                       {Source::smtp, dkim});
    BOOST_REQUIRE(out.status == Status::stored);
}

std::map<std::string, digest::DomainDigest> collect() {
    pqxx::connection conn(db().conninfo());
    digest::Request r;
    r.last_day = the_day;
    std::map<std::string, digest::DomainDigest> out;
    for (auto& d : digest::collect(conn, r).domains)
        out[d.domain] = d;
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(failures_add_up_and_signers_count_by_registered_domain) {
    // RFC 8460 §4.4: Microsoft reports the same 10 failed sessions under sts and tlsa, each
    // naming its own result type; victim.example is also reported by Google
    store("microsoft.com", "microsoft.com", "ms-1",
          {policy("sts", "victim.example", 10, "certificate-expired"),
           policy("tlsa", "victim.example", 10, "tlsa-invalid")});
    store("google.com", "google.com", "g-1",
          {policy("sts", "victim.example", 5, "validation-failure")});
    // one key (attacker.example) signs for three reporter names
    for (const char* sub : {"a", "b", "c"})
        store(std::string(sub) + ".attacker.example", std::string(sub) + ".attacker.example",
              std::string("flood-") + sub,
              {policy("sts", "flood.example", 1000, "starttls-not-supported")});
    const auto domains = collect();
    BOOST_REQUIRE(domains.count("victim.example") == 1u);
    const auto& victim = domains.at("victim.example");
    BOOST_TEST(victim.failed == 15);
    std::int64_t by_type = 0;
    for (const auto& n : victim.failure_types)
        by_type += n.sessions;
    BOOST_TEST(by_type == victim.failed); // not 25: the tlsa copy of Microsoft's sessions
    BOOST_TEST(victim.signing_domains == 2);
    BOOST_TEST(domains.at("flood.example").signing_domains == 1);
    BOOST_TEST(db().value("SELECT sum(sessions) FROM tlsrpt.daily_failures WHERE policy_domain = "
                          "'victim.example'") == "15");
}
