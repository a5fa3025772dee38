// test_support.hpp: helpers shared by the unit tests: fixture loading and byte builders.
#pragma once

#include <zlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace test {

inline std::string fixtures_dir() {
    return TLSRPT_FIXTURES_DIR;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string fixture(const std::string& name) {
    return read_file(fixtures_dir() + "/" + name);
}

// gzip-compresses bytes (one member).
inline std::string gzip(const std::string& in, int level = 6) {
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2");
    std::string out(deflateBound(&zs, in.size()) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

inline std::string base64(const std::string& in) {
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t line = 0;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                           (i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) << 8 : 0) |
                           (i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0);
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += i + 1 < in.size() ? tbl[(v >> 6) & 63] : '=';
        out += i + 2 < in.size() ? tbl[v & 63] : '=';
        if ((line += 4) >= 76) out += "\r\n", line = 0;
    }
    return out;
}

// A report email in the shape Google sends: multipart/report, text part, base64 gzip part.
inline std::string report_email(const std::string& json, const std::string& report_id = "r1") {
    return "From: noreply@mailer.example\r\nTo: tlsrpt@receiver.example\r\n"
           "Subject: Report Domain: receiver.example Submitter: mailer.example Report-ID: <" +
           report_id +
           "@mailer.example>\r\nTLS-Report-Domain: receiver.example\r\n"
           "TLS-Report-Submitter: mailer.example\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"XyZ\"\r\n\r\n"
           "--XyZ\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate TLS report.\r\n"
           "--XyZ\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; "
           "filename=\"mailer.example!receiver.example!1!2.json.gz\""
           "\r\n\r\n" +
           base64(gzip(json)) + "\r\n--XyZ--\r\n";
}

} // namespace test
