// cmd_store.cpp: the helpers the database subcommands share (cmd_store.hpp).
#include "cmd_store.hpp"

#include "store/classify.hpp"
#include "store/connection.hpp"
#include "tlsrpt/store.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>

namespace tlsrptctl {

std::optional<Options> parse_options(const Args& args, const std::vector<std::string>& valued,
                                     const std::string& command) {
    Options out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            out.help = true;
            continue;
        }
        if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
            out.positional.push_back(a);
            continue;
        }
        const std::size_t eq = a.find('=');
        const std::string name = a.substr(2, eq == std::string::npos ? eq : eq - 2);
        if (name != "db" && std::find(valued.begin(), valued.end(), name) == valued.end()) {
            std::cerr << "tlsrptctl " << command << ": unknown option '" << a << "'\n";
            return std::nullopt;
        }
        std::string value;
        if (eq != std::string::npos) {
            value = a.substr(eq + 1);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            std::cerr << "tlsrptctl " << command << ": option --" << name << " needs a value\n";
            return std::nullopt;
        }
        if (name == "db")
            out.db = value;
        else
            out.values[name] = value;
    }
    return out;
}

std::optional<int> parse_days(const std::string& text, const std::string& option) {
    int n = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 0 || n > 100000) {
        std::cerr << "tlsrptctl: " << option << " wants a number of days, not '" << text << "'\n";
        return std::nullopt;
    }
    return n;
}

std::unique_ptr<pqxx::connection> open_db(const std::string& conninfo) {
    tlsrpt::store::check_conninfo(conninfo);
    return tlsrpt::store::connect(conninfo, std::chrono::milliseconds(0));
}

int db_failure(const std::string& command) {
    const tlsrpt::store::Failure f = tlsrpt::store::classify_current_exception();
    const bool temporary = f.status == tlsrpt::store::Status::temporary;
    std::cerr << "tlsrptctl " << command << ": database: " << f.message
              << (temporary ? " (temporary: try again later)" : "") << "\n";
    return temporary ? exit_temporary : 1;
}

bool schema_ready(int version) {
    const int need = tlsrpt::store::expected_schema_version();
    if (version >= need) return true;
    std::cerr << "tlsrptctl: database schema version " << version << ", this build needs " << need
              << ": run `tlsrptctl db migrate`\n";
    return false;
}

} // namespace tlsrptctl
