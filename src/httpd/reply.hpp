// reply.hpp: one answer of tlsrpt-httpd (status, one line of text, Retry-After, whether the
// connection closes after it) and how it goes on the wire.
#pragma once

#include <string>

struct mg_connection;

namespace httpd {

struct Reply {
    int status = 500;
    std::string text;
    int retry_after = 0; // 429, 503: seconds
    bool close = false;
};

// Writes r as one segment (a header and a body in two small segments would wait for the
// client's delayed ACK): text/plain, one line, Content-Length, Allow on 405, Retry-After.
// With r.close, "Connection: close" is sent and CivetWeb closes the connection after it.
void send_reply(mg_connection* conn, const Reply& r);

} // namespace httpd
