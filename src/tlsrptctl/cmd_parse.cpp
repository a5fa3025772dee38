// cmd_parse.cpp: `tlsrptctl parse`: read inputs, print each report as normalized JSON Lines.
// Exit 0 when every input gave at least one report, 1 otherwise (one stderr line per failure).
#include "commands.hpp"

#include "tlsrpt/limits.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/report_format.hpp"
#include "tlsrpt/sources.hpp"
#include "tlsrpt/text.hpp"

#include <iostream>

namespace tlsrptctl {

int cmd_parse(const Args& args) {
    tlsrpt::Limits limits;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            std::cout << "usage: tlsrptctl parse [--limit NAME=VALUE]... [FILE|DIR|-]...\n";
            return 0;
        }
        if (a == "--limit" && i + 1 < args.size()) {
            const std::string& kv = args[++i];
            const auto eq = kv.find('=');
            const std::string err = tlsrpt::set_limit(
                limits, kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
            if (!err.empty()) {
                std::cerr << "tlsrptctl parse: --limit " << err << "\n";
                return 2;
            }
            continue;
        }
        paths.push_back(a);
    }
    if (paths.empty()) paths.push_back("-");
    bool failed = false;
    for (const std::string& path : paths) {
        tlsrpt::for_each_item(path, limits.max_message_size, [&](tlsrpt::SourceItem&& item) {
            if (!item.read_error.empty()) {
                std::cerr << tlsrpt::printable(item.name) << ": " << item.read_error << "\n";
                failed = true;
                return;
            }
            auto reports = tlsrpt::read_reports(item.bytes, limits);
            if (!reports) {
                std::cerr << tlsrpt::printable(item.name) << ": "
                          << tlsrpt::printable(reports.error().describe()) << "\n";
                failed = true;
                return;
            }
            for (const tlsrpt::Report& r : *reports)
                std::cout << tlsrpt::format_report_json(r, item.name) << "\n";
        });
    }
    std::cout.flush();
    return failed ? 1 : 0;
}

} // namespace tlsrptctl
