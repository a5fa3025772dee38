// main.cpp: tlsrptctl, the command-line side of tlsrpt-milter: dispatches to a subcommand.
#include "commands.hpp"
#include "tlsrpt_config.h"

#include <cstring>
#include <iostream>

namespace {

const char* usage = R"(usage: tlsrptctl COMMAND [OPTIONS] [ARGS]

Read, store and summarize SMTP TLS reports (RFC 8460).

Commands:
  parse [FILE...]              print every report found as one line of JSON (stdin: none or -)
  dkim [--resolver R] [FILE...] verify the DKIM signatures of report emails (RFC 8460 section 3)
  import [--db CONNINFO] [--require-dkim] [--resolver R] PATH...
                               store reports from files, directories, Maildirs and mbox files,
                               with their DKIM verdict (--require-dkim: only authenticated ones)
  import [--db C] [--watch] [--password-file F] [--ca-file F] imaps://USER@HOST[:PORT]/MAILBOX
                               the same from an IMAP mailbox (imap://: STARTTLS), each message
                               moved to tlsrpt/processed or tlsrpt/rejected after its commit
  summary [--db CONNINFO] [--days N] [--domain D]
                               per policy domain: reports (DKIM-authenticated), sessions,
                               success rate, failures
  alerts [--db CONNINFO] [--json] [--textfile PATH] [--since TIME] [--domain D]...
                               evaluate the alert rules over the stored reports (exit status
                               0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; --help: thresholds;
                               --record: store them for the dashboard)
  digest [--db CONNINFO] [--days N] [--domain D]... [--html FILE] [--mail-to ADDR]...
         [--only-failures]     the daily digest: per policy domain sessions, success rate and
                               its change, failures, reporters, charts, the alerts; as text,
                               an HTML page, or a mail through sendmail -t (--help: all options)
  db migrate [--db CONNINFO]   create or upgrade the tlsrpt schema
  db status [--db CONNINFO]    show the schema version
  db prune --older-than DAYS [--rejected] [--db CONNINFO]
                               delete reports whose period ended more than DAYS days ago
                               (--rejected: quarantined messages as old too)
  db maintain [--months-ahead N] [--retention DAYS] [--db CONNINFO]
                               make the monthly partitions ahead, move strays out of the
                               default partition, drop months older than the retention
  db grant --writer ROLE | --reader ROLE [--db CONNINFO]
                               rights for a role that is not the owner: store reports
                               (tlsrpt-httpd, imports) or only read (Grafana)
  rejected list [--db CONNINFO]
                               list quarantined messages the milter could not read
  rejected show ID | reimport ID [--trust] [--db CONNINFO]
                               print one quarantined message, or read and store it again
                               (DKIM checked again; --trust stores it anyway)

Without --db the PG* environment and the service file decide, as for psql.
Options: -h, --help   this text;  -V, --version   the version.
)";

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << usage;
        return 2;
    }
    const std::string cmd = argv[1];
    const tlsrptctl::Args args(argv + 2, argv + argc);
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        std::cout << usage;
        return 0;
    }
    if (cmd == "-V" || cmd == "--version") {
        std::cout << "tlsrptctl " << TLSRPT_VERSION << "\n";
        return 0;
    }
    try {
        if (cmd == "parse") return tlsrptctl::cmd_parse(args);
        if (cmd == "import") return tlsrptctl::cmd_import(args);
        if (cmd == "summary") return tlsrptctl::cmd_summary(args);
        if (cmd == "db") return tlsrptctl::cmd_db(args);
        if (cmd == "rejected") return tlsrptctl::cmd_rejected(args);
        if (cmd == "dkim") return tlsrptctl::cmd_dkim(args);
        if (cmd == "alerts") return tlsrptctl::cmd_alerts(args);
        if (cmd == "digest") return tlsrptctl::cmd_digest(args);
    } catch (const std::exception& e) {
        std::cerr << "tlsrptctl " << cmd << ": " << e.what() << "\n";
        return 1;
    }
    std::cerr << "tlsrptctl: unknown command '" << cmd << "'\n" << usage;
    return 2;
}
