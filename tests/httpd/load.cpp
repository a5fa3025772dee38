// load.cpp: the tlsrpt-httpd load program: N distinct reports (gzip, application/tlsrpt+gzip,
// as RFC 8460 §5.4 senders post them) over C parallel keep-alive connections; prints the
// reports/s accepted (201) and every other answer counted. load HOST PORT N C [PREFIX]
#include <zlib.h>

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

// One report, RFC 8460 §4.4 shape, with its own report-id.
std::string report(const std::string& id) {
    return "{\"organization-name\":\"Load Test\",\"date-range\":{\"start-datetime\":"
           "\"2026-12-01T00:00:00Z\",\"end-datetime\":\"2026-12-01T23:59:59Z\"},"
           "\"contact-info\":\"tlsrpt@load.example\",\"report-id\":\"" +
           id +
           "\",\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":"
           "[\"version: STSv1\",\"mode: enforce\",\"mx: mx.example.test\",\"max_age: 86400\"],"
           "\"policy-domain\":\"example.test\"},\"summary\":{\"total-successful-session-count\":"
           "100,\"total-failure-session-count\":2},\"failure-details\":[{\"result-type\":"
           "\"certificate-expired\",\"sending-mta-ip\":\"192.0.2.1\",\"receiving-mx-hostname\":"
           "\"mx.example.test\",\"failed-session-count\":2}]}]}";
}

// gzip (RFC 1952) of `in`.
std::string gzip(const std::string& in) {
    z_stream s{};
    deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&s, in.size()) + 32, '\0');
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = static_cast<uInt>(in.size());
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out.size());
    deflate(&s, Z_FINISH);
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

int connect_to(const char* host, int port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// Reads one response; its status, or -1 when the connection ended.
int read_response(int fd, std::string& buf) {
    for (;;) {
        const auto end = buf.find("\r\n\r\n");
        if (end != std::string::npos) {
            const int status = std::atoi(buf.c_str() + 9);
            std::size_t len = 0;
            const auto cl = buf.find("Content-Length: ");
            if (cl != std::string::npos && cl < end)
                len = std::strtoul(buf.c_str() + cl + 16, nullptr, 10);
            while (buf.size() < end + 4 + len) {
                char tmp[4096];
                const ssize_t n = read(fd, tmp, sizeof tmp);
                if (n <= 0) return -1;
                buf.append(tmp, static_cast<std::size_t>(n));
            }
            const bool close_it = buf.find("Connection: close") < end;
            buf.erase(0, end + 4 + len);
            return close_it ? -status : status;
        }
        char tmp[4096];
        const ssize_t n = read(fd, tmp, sizeof tmp);
        if (n <= 0) return -1;
        buf.append(tmp, static_cast<std::size_t>(n));
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: load HOST PORT N CONNECTIONS [ID-PREFIX]\n");
        return 2;
    }
    const char* host = argv[1];
    const int port = std::atoi(argv[2]);
    const int n = std::atoi(argv[3]), c = std::atoi(argv[4]);
    const std::string prefix = argc > 5 ? argv[5] : "load-" + std::to_string(getpid());
    std::vector<std::string> requests(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const std::string body = gzip(report(prefix + "-" + std::to_string(i)));
        requests[static_cast<std::size_t>(i)] =
            "POST /v1/tlsrpt HTTP/1.1\r\nHost: " + std::string(host) +
            "\r\nUser-Agent: tlsrpt-httpd-load\r\nContent-Type: application/tlsrpt+gzip\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    std::atomic<int> next{0}, created{0}, other{0}, errors{0};
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < c; ++t)
        threads.emplace_back([&] {
            int fd = -1;
            std::string buf;
            for (int i; (i = next++) < n;) {
                if (fd < 0) {
                    fd = connect_to(host, port);
                    buf.clear();
                }
                const std::string& r = requests[static_cast<std::size_t>(i)];
                int status =
                    fd < 0 || write(fd, r.data(), r.size()) != static_cast<ssize_t>(r.size())
                        ? -1
                        : read_response(fd, buf);
                if (status < 0 && status != -1) { // answered, then closed
                    status = -status;
                    close(fd);
                    fd = -1;
                }
                if (status == 201)
                    ++created;
                else if (status == -1) {
                    ++errors;
                    if (fd >= 0) close(fd);
                    fd = -1;
                } else
                    ++other;
            }
            if (fd >= 0) close(fd);
        });
    for (auto& t : threads)
        t.join();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("%d reports over %d connections in %.2f s: %.0f reports/s accepted (201: %d, "
                "other: %d, errors: %d)\n",
                n, c, secs, created / secs, created.load(), other.load(), errors.load());
    return created == n ? 0 : 1;
}
