// cidr.cpp: CIDR parsing and matching (see cidr.hpp).
#include "cidr.hpp"

#include "service/settings_table.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <stdexcept>

namespace httpd {

std::optional<std::array<std::uint8_t, 16>> parse_address(const std::string& text) {
    std::array<std::uint8_t, 16> out{};
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        out[10] = out[11] = 0xff;
        std::memcpy(out.data() + 12, &v4, 4);
        return out;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        return out;
    }
    return std::nullopt;
}

Cidr parse_cidr(const std::string& text) {
    const auto slash = text.find('/');
    const std::string addr = text.substr(0, slash);
    const auto bytes = parse_address(addr);
    if (!bytes) throw std::invalid_argument("'" + addr + "' is not an IP address");
    const bool v4 = addr.find(':') == std::string::npos;
    unsigned max = v4 ? 32 : 128;
    unsigned prefix = max;
    if (slash != std::string::npos) {
        const std::string p = text.substr(slash + 1);
        if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos)
            throw std::invalid_argument("'" + text + "': the prefix length is not a number");
        prefix = static_cast<unsigned>(std::stoul(p));
        if (prefix > max)
            throw std::invalid_argument("'" + text + "': prefix longer than " +
                                        std::to_string(max));
    }
    Cidr c;
    c.bytes = *bytes;
    c.prefix = v4 ? prefix + 96 : prefix;
    c.text = text;
    return c;
}

std::vector<Cidr> parse_cidr_list(const std::string& text) {
    std::vector<Cidr> out;
    for (const std::string& item : service::split_list(text))
        out.push_back(parse_cidr(item));
    return out;
}

namespace {

bool contains(const Cidr& c, const std::array<std::uint8_t, 16>& a) {
    unsigned bits = c.prefix;
    for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
        const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
        if ((a[i] & mask) != (c.bytes[i] & mask)) return false;
    }
    return true;
}

} // namespace

bool in_any(const std::string& address, const std::vector<Cidr>& blocks) {
    const auto a = parse_address(address);
    if (!a) return false;
    for (const Cidr& c : blocks)
        if (contains(c, *a)) return true;
    return false;
}

} // namespace httpd
