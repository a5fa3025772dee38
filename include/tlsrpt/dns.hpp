// dns.hpp: TXT lookups for DKIM keys (RFC 6376 §3.6.2) through libunbound, each bounded by a
// deadline. One Resolver is shared by every thread: queries run asynchronously inside
// libunbound (its own thread), a dispatcher thread delivers the answers, and a caller waits
// for its answer no longer than its deadline. libunbound's cache (kept small) answers repeats.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace tlsrpt::dns {

struct ResolverOptions {
    // "system" (the name servers of /etc/resolv.conf), or "IP" / "IP:PORT" / "[IPv6]:PORT" of
    // one resolver to ask (tests point it at a local DNS server).
    std::string resolver = "system";
    // A DNSSEC trust anchor file (e.g. /usr/share/dns/root.key): libunbound then validates
    // and answers say secure / insecure / bogus. Empty: no validation (dnssec = unknown).
    std::string trust_anchor;
};

enum class Rcode {
    ok,        // at least one TXT record
    nxdomain,  // the name does not exist, or has no TXT record (a permanent "no key")
    temporary, // SERVFAIL, timeout, resolver unreachable: try again later (RFC 6376 §6.1.2)
    bogus,     // DNSSEC validation failed: the answer cannot be trusted
};

enum class Dnssec { unknown, secure, insecure, bogus };
const char* to_string(Dnssec d);

struct TxtAnswer {
    Rcode rcode = Rcode::temporary;
    std::vector<std::string> records; // one per TXT record, its strings concatenated (§3.6.2.2)
    Dnssec dnssec = Dnssec::unknown;
    std::string error; // for temporary and bogus: what went wrong
};

class Resolver {
  public:
    // Throws std::runtime_error naming the setting at fault (bad address, unreadable file).
    explicit Resolver(const ResolverOptions& options);
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // The TXT records of `name`, waiting at most until `deadline`.
    TxtAnswer lookup_txt(const std::string& name, std::chrono::steady_clock::time_point deadline);

    const ResolverOptions& options() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "IP[:PORT]" / "[IPv6]:PORT" as libunbound's forwarder syntax "IP@PORT"; throws
// std::invalid_argument for anything that is not a literal address.
std::string forwarder_address(const std::string& text);

} // namespace tlsrpt::dns
