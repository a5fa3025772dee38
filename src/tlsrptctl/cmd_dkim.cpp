// cmd_dkim.cpp: `tlsrptctl dkim`: verify the DKIM signatures of report emails the way the
// milter does (dkim_verify.hpp, then the RFC 8460 §3 rule of dkim_rule.hpp) and print one
// JSON line per message: the verdict for its (first) report and every signature's check.
// Exit 0 when every message is authenticated, 1 otherwise, 75 when only temporary DNS
// failures stood in the way.
#include "cmd_store.hpp"
#include "commands.hpp"
#include "dkim_options.hpp"

#include "tlsrpt/dkim_verify.hpp"
#include "tlsrpt/json_writer.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/sources.hpp"

#include <iostream>

namespace tlsrptctl {

namespace {

const char* usage =
    "usage: tlsrptctl dkim [--resolver system|IP[:PORT]] [--trust-anchor FILE] [--timeout S]\n"
    "                      [FILE|DIR|-]...\n";

void put_check(tlsrpt::JsonWriter& w, const tlsrpt::SignatureCheck& c) {
    w.begin_object();
    w.key("d").value(c.domain).key("s").value(c.selector).key("a").value(c.algorithm);
    w.key("result").value(c.result).key("reason").value(c.reason).key("dnssec").value(c.dnssec);
    w.end_object();
}

std::string verdict_json(const std::string& name, const std::string& reporter,
                         const tlsrpt::DkimAssessment& a,
                         const std::vector<tlsrpt::SignatureCheck>& checks) {
    tlsrpt::JsonWriter w;
    w.begin_object();
    w.key("input").value(name).key("reporter").value(reporter);
    w.key("result").value(a.result).key("authenticated").boolean(a.authenticated);
    w.key("temporary").boolean(a.temporary);
    w.key("domain").value(a.domain).key("selector").value(a.selector);
    w.key("algorithm").value(a.algorithm).key("dnssec").value(a.dnssec);
    w.key("reason").value(a.reason);
    w.key("signatures").begin_array();
    for (const tlsrpt::SignatureCheck& c : checks)
        put_check(w, c);
    w.end_array();
    w.end_object();
    return w.str();
}

} // namespace

int cmd_dkim(const Args& args) {
    const auto opt = parse_options(args, dkim_option_names(), "dkim");
    if (!opt) return 2;
    if (opt->help) {
        std::cout << usage;
        return 0;
    }
    const auto verifier = make_dkim_verifier(*opt, "dkim");
    if (!verifier) return 2;
    std::vector<std::string> paths = opt->positional;
    if (paths.empty()) paths.push_back("-");
    const tlsrpt::Limits limits;
    int status = 0;
    for (const std::string& path : paths) {
        tlsrpt::for_each_item(path, limits.max_message_size, [&](tlsrpt::SourceItem&& item) {
            if (!item.read_error.empty()) {
                std::cerr << item.name << ": " << item.read_error << "\n";
                status = 1;
                return;
            }
            const auto reports = tlsrpt::read_reports(item.bytes, limits);
            const tlsrpt::DkimVerification v = verifier->verify(item.bytes);
            const auto checks = tlsrpt::check_signatures(v);
            std::string reporter;
            if (reports && !reports->empty())
                reporter = tlsrpt::dkim_alignment_domain(reports->front());
            tlsrpt::DkimAssessment a = tlsrpt::assess_dkim(checks, reporter);
            if (!v.error.empty()) a.reason += " (" + v.error + ")";
            std::cout << verdict_json(item.name, reporter, a, checks) << "\n";
            if (!a.authenticated && status != 1) status = a.temporary ? exit_temporary : 1;
        });
    }
    std::cout.flush();
    return status;
}

} // namespace tlsrptctl
