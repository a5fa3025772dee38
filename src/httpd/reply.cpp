// reply.cpp: writing a Reply (reply.hpp).
#include "reply.hpp"

#include <civetweb.h>

namespace httpd {

namespace {

const char* reason_phrase(int status) {
    switch (status) {
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    }
    return "Internal Server Error";
}

// CivetWeb decides keep-alive after the handler from the *request*'s Connection header (and
// its own must_close, which the request-handler API cannot set): the request is made to say
// "close". Its header array lives in the connection and is read again only for that decision.
void close_after_reply(mg_connection* conn) {
    auto* ri = const_cast<mg_request_info*>(mg_get_request_info(conn));
    for (int i = 0; i < ri->num_headers; ++i)
        if (mg_strcasecmp(ri->http_headers[i].name, "Connection") == 0) {
            ri->http_headers[i].value = "close";
            return;
        }
    if (ri->num_headers < MG_MAX_HEADERS) {
        ri->http_headers[ri->num_headers].name = "Connection";
        ri->http_headers[ri->num_headers].value = "close";
        ++ri->num_headers;
        return;
    }
    ri->http_headers[0].name = "Connection"; // 64 headers: one of them gives way
    ri->http_headers[0].value = "close";
}

} // namespace

void send_reply(mg_connection* conn, const Reply& r) {
    std::string line = r.text.substr(0, 500);
    for (char& c : line)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    line += "\n";
    std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) +
                       "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                       std::to_string(line.size()) + "\r\n";
    if (r.status == 405) head += "Allow: POST\r\n";
    if (r.retry_after > 0) head += "Retry-After: " + std::to_string(r.retry_after) + "\r\n";
    head += r.close ? "Connection: close\r\n" : "";
    head += "\r\n" + line;
    mg_write(conn, head.data(), head.size());
    if (r.close) close_after_reply(conn);
}

} // namespace httpd
