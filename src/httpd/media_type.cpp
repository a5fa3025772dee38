// media_type.cpp: media-type and encoding rules of the upload endpoint (see media_type.hpp).
#include "media_type.hpp"

#include "tlsrpt/text.hpp"

namespace httpd {

namespace {

// The type/subtype without parameters, lower case.
std::string essence(std::string_view content_type) {
    const auto semi = content_type.find(';');
    return tlsrpt::to_lower(std::string(tlsrpt::trim(content_type.substr(0, semi))));
}

} // namespace

MediaVerdict classify_media(std::string_view content_type, std::string_view content_encoding) {
    const std::string enc = tlsrpt::to_lower(std::string(tlsrpt::trim(content_encoding)));
    if (!enc.empty() && enc != "gzip" && enc != "x-gzip" && enc != "identity")
        return {false, "Content-Encoding '" + enc + "' is not supported (use gzip)"};
    const std::string t = essence(content_type);
    static const char* const accepted[] = {
        "", // no label: sniff
        "application/tlsrpt+json",
        "application/tlsrpt+gzip", // RFC 8460 §6.4, §6.5
        "application/json",
        "application/gzip",
        "application/x-gzip",
        "application/octet-stream",
        "application/x-www-form-urlencoded", // curl --data-binary without -H
        "text/plain",
        "text/json"};
    for (const char* a : accepted)
        if (t == a) return {true, ""};
    // other +json / +gzip structured-syntax suffixes are close enough to sniff
    if (t.size() > 5 && (t.ends_with("+json") || t.ends_with("+gzip"))) return {true, ""};
    return {false, "Content-Type '" + t +
                       "' cannot be a report (use application/tlsrpt+gzip or "
                       "application/tlsrpt+json, RFC 8460 section 5.4)"};
}

BodyKind sniff_body(std::string_view b) {
    if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x1f &&
        static_cast<unsigned char>(b[1]) == 0x8b)
        return BodyKind::gzip;
    if (b.starts_with("\xEF\xBB\xBF")) b.remove_prefix(3);
    const auto first = b.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && b[first] == '{' ? BodyKind::json : BodyKind::other;
}

} // namespace httpd
