// media_type.hpp: which request bodies may be a report, decided from Content-Type and
// Content-Encoding alone (RFC 8460 §5.4: application/tlsrpt+gzip or application/tlsrpt+json,
// registered in §6.4 and §6.5). Lenient as the receiver digest §3 advises: the body is sniffed
// anyway (gzip magic 1f 8b, §6.5, whatever the label), and the generic labels senders and
// tools use (application/json, application/gzip, application/octet-stream, curl's default
// application/x-www-form-urlencoded, none at all) are accepted. Refused (415): a type that
// cannot carry a report (text/html, image/*, multipart/*, ...) and an encoding other than
// gzip or identity.
#pragma once

#include <string>
#include <string_view>

namespace httpd {

struct MediaVerdict {
    bool acceptable = false;
    std::string reason; // when refused: one line naming the label at fault
};

// The verdict for a request's Content-Type and Content-Encoding (either may be empty).
MediaVerdict classify_media(std::string_view content_type, std::string_view content_encoding);

enum class BodyKind { json, gzip, other };

// What the body is, by its first bytes: gzip magic, else '{' after blanks or a UTF-8 BOM.
BodyKind sniff_body(std::string_view first_bytes);

} // namespace httpd
