// cidr.hpp: address ranges for AllowFrom and TrustedProxies: IPv4 and IPv6 CIDR blocks
// (RFC 4632, RFC 4291 §2.3), an IPv4-mapped IPv6 peer (::ffff:a.b.c.d) matching its IPv4 block.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace httpd {

struct Cidr {
    std::array<std::uint8_t, 16> bytes{}; // IPv4 as ::ffff:a.b.c.d
    unsigned prefix = 0;                  // over the 128 bits
    std::string text;                     // as written
};

// "192.0.2.0/24", "2001:db8::/32", or one address (a /32 or /128); throws std::invalid_argument.
Cidr parse_cidr(const std::string& text);

// A comma-separated list of parse_cidr.
std::vector<Cidr> parse_cidr_list(const std::string& text);

// The address bytes of a literal IPv4 or IPv6 address, nullopt when it is none.
std::optional<std::array<std::uint8_t, 16>> parse_address(const std::string& text);

// True when `address` (literal) lies in one of the blocks.
bool in_any(const std::string& address, const std::vector<Cidr>& blocks);

} // namespace httpd
