// cmd_rejected.cpp: `tlsrptctl rejected list|show ID|reimport ID`: the messages the milter
// quarantined because no report could be read from them. reimport reads the kept message
// through the pipeline again (e.g. after a reader fix) and stores its reports as source smtp.
#include "cmd_store.hpp"

#include "store/admin.hpp"
#include "store/migrations.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/store.hpp"

#include <charconv>
#include <cstdio>
#include <iostream>

namespace tlsrptctl {

namespace {

namespace st = tlsrpt::store;

const char* rejected_usage = "usage: tlsrptctl rejected list [--db CONNINFO]\n"
                             "       tlsrptctl rejected show ID [--db CONNINFO]\n"
                             "       tlsrptctl rejected reimport ID [--db CONNINFO]\n";

// A positive message id, or 0.
std::int64_t parse_id(const std::string& text) {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    return ec != std::errc() || end != text.data() + text.size() || id < 0 ? 0 : id;
}

int do_list(pqxx::connection& conn) {
    const auto rows = st::list_rejected(conn);
    if (rows.empty()) {
        std::cout << "no rejected messages\n";
        return 0;
    }
    std::printf("%-8s %-19s %-10s %-40s %-30s %s\n", "id", "received (UTC)", "reimported", "reason",
                "from", "subject");
    for (const auto& m : rows)
        std::printf("%-8lld %-19s %-10s %-40s %-30s %s\n", static_cast<long long>(m.id),
                    m.received_at.c_str(), m.reimported ? "yes" : "no", m.reason.c_str(),
                    m.mail_from.c_str(), m.subject.c_str());
    std::fflush(stdout);
    return 0;
}

int do_show(pqxx::connection& conn, std::int64_t id) {
    const auto raw = st::rejected_raw(conn, id);
    if (!raw) {
        std::cerr << "tlsrptctl rejected: no rejected message " << id << "\n";
        return 1;
    }
    std::cout.write(raw->data(), static_cast<std::streamsize>(raw->size()));
    std::cout.flush();
    return 0;
}

int do_reimport(const std::string& conninfo, pqxx::connection& conn, std::int64_t id) {
    const auto raw = st::rejected_raw(conn, id);
    if (!raw) {
        std::cerr << "tlsrptctl rejected: no rejected message " << id << "\n";
        return 1;
    }
    auto reports = tlsrpt::read_reports(*raw, tlsrpt::Limits{});
    if (!reports) {
        std::cerr << "rejected message " << id << ": still refused: " << reports.error().describe()
                  << "\n";
        return 1;
    }
    st::Store store(conninfo, std::chrono::minutes(10));
    int counts[5] = {};
    for (const tlsrpt::Report& r : *reports) {
        const st::Outcome out = store.store_report(r, {st::Source::smtp, {}});
        ++counts[static_cast<int>(out.status)];
        if (!out.message.empty())
            std::cerr << "rejected message " << id << ": " << st::to_string(out.status) << ": "
                      << out.message << "\n";
        if (!out.ok()) return out.status == st::Status::temporary ? exit_temporary : 1;
    }
    st::mark_reimported(conn, id);
    std::cout << "stored " << counts[0] << ", duplicates " << counts[1] << ", conflicts "
              << counts[2] << "\n";
    return 0;
}

} // namespace

int cmd_rejected(const Args& args) {
    const auto opts = parse_options(args, {}, "rejected");
    if (!opts) return 2;
    const auto& pos = opts->positional;
    const std::string action = pos.empty() ? "" : pos[0];
    const bool with_id = action == "show" || action == "reimport";
    const std::int64_t id = with_id && pos.size() == 2 ? parse_id(pos[1]) : 0;
    if (opts->help || !(action == "list" ? pos.size() == 1 : with_id && id > 0)) {
        (opts->help ? std::cout : std::cerr) << rejected_usage;
        return opts->help ? 0 : 2;
    }
    try {
        auto conn = open_db(opts->db);
        if (!schema_ready(st::schema_version(*conn))) return 1;
        if (action == "list") return do_list(*conn);
        if (action == "show") return do_show(*conn, id);
        return do_reimport(opts->db, *conn, id);
    } catch (...) {
        return db_failure("rejected " + action);
    }
}

} // namespace tlsrptctl
