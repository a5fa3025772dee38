// recipients.hpp: which envelope recipients are report addresses. Addresses compare
// case-insensitively, without the <> of the SMTP envelope, and a "+tag" sub-address matches
// its base address (tlsrpt+x@example.com is tlsrpt@example.com).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace milter {

// "<Foo@Example.COM>" -> "foo@example.com": angle brackets, surrounding blanks and case removed.
std::string normalize_address(std::string_view envelope);

// The address without its "+tag" sub-address ("a+b@x" -> "a@x"); unchanged without a tag.
std::string strip_subaddress(const std::string& normalized);

// True when the envelope address, or its tag-less form, is one of `report_addresses`
// (normalized, as in Config::report_addresses).
bool is_report_address(std::string_view envelope, const std::vector<std::string>& report_addresses);

} // namespace milter
