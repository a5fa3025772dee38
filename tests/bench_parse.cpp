// bench_parse.cpp: throughput of extract + decompress + parse (the whole reading pipeline) on
// one core. Without arguments it generates typical report emails (4-10 KB: realistic headers, a
// text part, a base64 gzip report part); with FILE arguments it reads those. Prints messages/s,
// MB/s and peak RSS. Built by meson, not run as a test:  build/tests/bench_parse [SECONDS]
#include "test_support.hpp"
#include "tlsrpt/pipeline.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

std::string header_block(std::mt19937& rng, int i) {
    std::string h;
    const int hops = 3 + static_cast<int>(rng() % 10);
    for (int hop = 0; hop < hops; ++hop)
        h += "Received: from mail-relay" + std::to_string(rng() % 100) +
             ".sender.example (mail-relay.sender.example [192.0.2." + std::to_string(rng() % 250) +
             "])\r\n\tby mx.receiver.example (Postfix) with ESMTPS id 4Xb" + std::to_string(rng()) +
             "\r\n\tfor <tlsrpt@receiver.example>; Mon, 2 Mar 2026 " + "04:1" +
             std::to_string(hop) + ":00 +0000 (UTC)\r\n";
    h += "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.example; s=2026;\r\n"
         "\th=to:from:subject:message-id:tls-report-submitter:tls-report-domain:date:mime-version;"
         "\r\n\tbh=2kbhf54mtX06OiZR0UJXeBrUva5J8cL9m64HSgIK/ZE=;\r\n\tb=";
    for (int k = 0; k < 5; ++k)
        h += test::base64(std::string(48, static_cast<char>(rng()))) + "\t";
    h += "\r\nARC-Seal: i=1; a=rsa-sha256; t=1772424600; cv=none; d=relay.example; s=arc;\r\n\tb=";
    for (int k = 0; k < 5; ++k)
        h += test::base64(std::string(48, static_cast<char>(rng()))) + "\t";
    h += "\r\nARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=relay.example;\r\n"
         "\th=to:from:subject:message-id:date:mime-version; bh=Z6V0Gq60Wfve;\r\n\tb=";
    for (int k = 0; k < 5; ++k)
        h += test::base64(std::string(48, static_cast<char>(rng()))) + "\t";
    h += "\r\nAuthentication-Results: mx.receiver.example; dkim=pass header.d=sender.example\r\n";
    h += "Message-ID: <" + std::to_string(i) + "." + std::to_string(rng()) + "@sender.example>\r\n";
    return h;
}

// A report with 1-2 policies and 0-12 failure details, like the daily reports of big senders.
std::string report_json(std::mt19937& rng, int i) {
    std::string j =
        R"({"organization-name":"Sender Inc.","date-range":{"start-datetime":)"
        R"("2026-03-01T00:00:00Z","end-datetime":"2026-03-01T23:59:59Z"},)"
        R"("contact-info":"smtp-tls-reporting@sender.example","report-id":"2026-03-01_)" +
        std::to_string(i) + R"(","policies":[)";
    const int policies = 1 + static_cast<int>(rng() % 2);
    for (int p = 0; p < policies; ++p) {
        j += std::string(p ? "," : "") +
             R"({"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce",)"
             R"("mx: mx1.receiver.example","mx: mx2.receiver.example","max_age: 604800"],)"
             R"("policy-domain":"receiver)" +
             std::to_string(p) +
             R"(.example","mx-host":["mx1.receiver.example","mx2.receiver.example"]},)"
             R"("summary":{"total-successful-session-count":)" +
             std::to_string(rng() % 100000) + R"(,"total-failure-session-count":)" +
             std::to_string(rng() % 500) + R"(},"failure-details":[)";
        const int details = static_cast<int>(rng() % 13);
        for (int d = 0; d < details; ++d)
            j += std::string(d ? "," : "") +
                 R"({"result-type":"certificate-expired","sending-mta-ip":"198.51.100.)" +
                 std::to_string(rng() % 250) + R"(","receiving-ip":"203.0.113.)" +
                 std::to_string(rng() % 250) +
                 R"(","receiving-mx-hostname":"mx1.receiver.example","failed-session-count":)" +
                 std::to_string(1 + rng() % 50) + "}";
        j += "]}";
    }
    return j + "]}";
}

std::string report_email(std::mt19937& rng, int i) {
    return header_block(rng, i) +
           "Date: Mon, 02 Mar 2026 04:10:00 +0000\r\n"
           "From: noreply-smtp-tls-reporting@sender.example\r\nTo: tlsrpt@receiver.example\r\n"
           "Subject: Report Domain: receiver.example Submitter: sender.example Report-ID: <" +
           std::to_string(i) +
           "@sender.example>\r\nTLS-Report-Domain: receiver.example\r\n"
           "TLS-Report-Submitter: sender.example\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; boundary=\"000000000000b5\"; report-type=tlsrpt\r\n\r\n"
           "--000000000000b5\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n"
           "This is an aggregate TLS report from sender.example\r\n\r\n"
           "--000000000000b5\r\nContent-Type: application/tlsrpt+gzip;\r\n"
           "\tname=\"sender.example!receiver.example!1772323200!1772409599!001.json.gz\"\r\n"
           "Content-Disposition: attachment;\r\n"
           "\tfilename=\"sender.example!receiver.example!1772323200!1772409599!001.json.gz\"\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n" +
           test::base64(test::gzip(report_json(rng, i))) + "\r\n--000000000000b5--\r\n";
}

long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

} // namespace

int main(int argc, char** argv) {
    double seconds = 3;
    std::vector<std::string> inputs;
    for (int i = 1; i < argc; ++i) {
        char* end = nullptr;
        const double v = std::strtod(argv[i], &end);
        if (end && *end == '\0')
            seconds = v;
        else
            inputs.push_back(test::read_file(argv[i]));
    }
    if (inputs.empty()) {
        std::mt19937 rng(8460);
        for (int i = 0; i < 2000; ++i)
            inputs.push_back(report_email(rng, i));
    }
    std::size_t total_bytes = 0, min_size = SIZE_MAX, max_size = 0;
    for (const auto& m : inputs) {
        total_bytes += m.size();
        min_size = std::min(min_size, m.size());
        max_size = std::max(max_size, m.size());
    }
    std::printf("inputs: %zu messages, %zu-%zu bytes, mean %zu bytes\n", inputs.size(), min_size,
                max_size, total_bytes / inputs.size());
    const tlsrpt::Limits limits;
    std::size_t messages = 0, bytes = 0, reports = 0, refused = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        for (const auto& m : inputs) {
            const auto r = tlsrpt::read_reports(m, limits);
            r.ok() ? reports += r->size() : ++refused;
            bytes += m.size();
        }
        messages += inputs.size();
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("messages/s: %.0f\nMB/s: %.1f\nreports: %zu, refused: %zu\npeak RSS: %.1f MiB\n",
                messages / elapsed, bytes / elapsed / 1e6, reports, refused,
                peak_rss_kib() / 1024.0);
    return refused == 0 ? 0 : 1;
}
