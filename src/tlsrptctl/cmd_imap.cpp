// cmd_imap.cpp: `tlsrptctl import [OPTIONS] imaps://USER@HOST[:PORT]/MAILBOX` (or imap://,
// STARTTLS required): the reports of a mailbox through the same pipeline and store as the
// milter, source "imap", each message moved only after its commit (imap_import.hpp). Once, or
// with --watch every --interval, reconnecting with backoff after a failure. Exit status as for
// files (1 refused, 75 deferred or the server/database failing for now, 0 otherwise); 1 for a
// permanent failure (login, certificate, no such mailbox, a folder that cannot be made); 2 for
// a bad command line.
#include "cmd_store.hpp"
#include "dkim_options.hpp"
#include "imap_import.hpp"
#include "item_dkim.hpp"

#include "tlsrpt/limits.hpp"
#include "tlsrpt/store.hpp"
#include "tlsrpt/text.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <csignal>
#include <iostream>
#include <sys/prctl.h>
#include <thread>

namespace tlsrptctl {

namespace {

namespace st = tlsrpt::store;

const char* imap_usage =
    "usage: tlsrptctl import [--db CONNINFO] [--require-dkim] [--resolver R] [--trust-anchor F]\n"
    "         [--password-file FILE] [--ca-file FILE] [--insecure-plaintext]\n"
    "         [--move-to FOLDER] [--rejected-to FOLDER] [--expunge]\n"
    "         [--watch [--interval 5m]] [--max-messages N] imaps://USER@HOST[:PORT]/MAILBOX\n"
    "  imap://... upgrades with STARTTLS (required unless --insecure-plaintext); the password\n"
    "  comes from --password-file (mode 0600), TLSRPT_IMAP_PASSWORD or ~/.netrc, never the URL.\n"
    "  Stored (or already stored) messages go to --move-to (tlsrpt/processed; --expunge:\n"
    "  deleted), unusable ones are quarantined and go to --rejected-to (tlsrpt/rejected), the\n"
    "  ones that failed for now stay. --watch polls every --interval (30s, 5m, 1h).\n"
    "  --max-messages N: at most N messages a pass (the oldest), for a large backlog.\n";

std::atomic<bool> g_stop{false};

// A count of at least 1, or nullopt.
std::optional<std::size_t> parse_count(const std::string& text) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n == 0) return std::nullopt;
    return n;
}

// Two mailbox names that are one folder: equal, or both INBOX, which is case-insensitive
// (RFC 9051 §5.1); '/' and '.' both read as the hierarchy delimiter the server may use.
bool same_mailbox(std::string a, std::string b) {
    for (std::string* s : {&a, &b}) {
        std::replace(s->begin(), s->end(), '.', '/');
        if (tlsrpt::iequals(s->substr(0, 5), "INBOX") && (s->size() == 5 || (*s)[5] == '/'))
            s->replace(0, 5, "INBOX");
    }
    return a == b;
}

void on_signal(int) {
    g_stop = true;
}

// "300", "30s", "5m", "1h": seconds from 1 to a day; nullopt otherwise.
std::optional<std::chrono::seconds> parse_interval(const std::string& text) {
    long n = 0;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc() || n < 1) return std::nullopt;
    const std::string unit(p, end);
    const long scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
    if (scale == 0 || n * scale > 86400) return std::nullopt;
    return std::chrono::seconds(n * scale);
}

// Waits `d` unless SIGTERM or SIGINT comes first.
void pause(std::chrono::seconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!g_stop && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

struct Run {
    const imap::SessionOptions& session;
    ItemImporter& items;
    imap::MailboxImporter& mailbox;
};

std::string value(const Options& o, const char* name, const std::string& fallback = "") {
    const auto it = o.values.find(name);
    return it == o.values.end() ? fallback : it->second;
}

// One pass; prints the summary line. The exit status of a one-shot run.
int once(Run& run) {
    imap::Session session(run.session);
    const imap::PassResult r = run.mailbox.pass(session, g_stop);
    run.items.summary(std::cout);
    run.mailbox.summary(std::cout, r.counts, run.session.target.mailbox);
    std::cout << "\n";
    if (!r.status.ok()) {
        std::cerr << "tlsrptctl import: " << imap::describe(run.session.target) << ": "
                  << r.status.error << "\n";
        if (r.status.failure == imap::Failure::permanent) return 1;
        return exit_temporary;
    }
    if (r.database_down) {
        std::cerr << "tlsrptctl import: stopped after " << ItemImporter::kTemporaryInARow
                  << " temporary database failures in a row; the messages not stored stay in "
                  << run.session.target.mailbox << " for the next run\n";
        return exit_temporary;
    }
    const int status = run.items.exit_status();
    if (status == 0 && (g_stop || r.counts.left > 0)) return exit_temporary;
    return status;
}

// --watch: a pass every `interval`, a new connection each time; after a failure the next
// attempt comes after 10 s, doubling up to the interval. Ends on SIGTERM/SIGINT (0) or a
// permanent failure (1), for systemd's Restart=on-failure to take over.
int watch(Run& run, std::chrono::seconds interval) {
    const std::chrono::seconds first_backoff(10);
    std::chrono::seconds backoff = first_backoff;
    imap::PassCounts total;
    while (!g_stop) {
        imap::Session session(run.session);
        const imap::PassResult r = run.mailbox.pass(session, g_stop);
        total.add(r.counts);
        if (r.status.failure == imap::Failure::permanent) {
            std::cerr << "tlsrptctl import: " << imap::describe(run.session.target) << ": "
                      << r.status.error << "\n";
            return 1;
        }
        std::chrono::seconds wait = interval;
        if (!r.status.ok() || r.database_down) {
            std::cerr << "tlsrptctl import: "
                      << (r.status.ok() ? "the database keeps failing" : r.status.error)
                      << "; trying again in " << backoff.count() << " s\n";
            wait = backoff;
            backoff = std::min(backoff * 2, std::max(interval, first_backoff));
        } else {
            backoff = first_backoff;
        }
        if (r.counts.messages > 0) {
            run.items.summary(std::cerr);
            run.mailbox.summary(std::cerr, total, run.session.target.mailbox);
            std::cerr << "\n";
        }
        pause(wait);
    }
    return 0;
}

} // namespace

int cmd_import_imap(const Args& arguments) {
    Args args = arguments;
    const bool require_dkim = take_flag(args, "--require-dkim");
    const bool insecure = take_flag(args, "--insecure-plaintext");
    const bool expunge = take_flag(args, "--expunge");
    const bool watching = take_flag(args, "--watch");
    std::vector<std::string> names = dkim_option_names();
    for (const char* n :
         {"password-file", "ca-file", "move-to", "rejected-to", "interval", "max-messages"})
        names.emplace_back(n);
    const auto opts = parse_options(args, names, "import");
    if (!opts) return 2;
    if (opts->help) {
        std::cout << imap_usage;
        return 0;
    }
    if (opts->positional.size() != 1) {
        std::cerr << "tlsrptctl import: one imap:// or imaps:// URL at a time\n" << imap_usage;
        return 2;
    }
    const imap::ParsedTarget target = imap::parse_url(opts->positional.front());
    if (!target.target) {
        std::cerr << "tlsrptctl import: " << opts->positional.front() << ": " << target.error
                  << "\n";
        return 2;
    }
    const auto interval = parse_interval(value(*opts, "interval", "5m"));
    if (!interval) {
        std::cerr << "tlsrptctl import: --interval wants 1s to 24h (30s, 5m, 1h)\n";
        return 2;
    }
    imap::MailboxOptions mo;
    mo.move_to = value(*opts, "move-to", mo.move_to);
    mo.rejected_to = value(*opts, "rejected-to", mo.rejected_to);
    mo.expunge = expunge;
    mo.max_size = tlsrpt::Limits{}.max_message_size;
    mo.log_each = watching;
    if (const std::string m = value(*opts, "max-messages"); !m.empty()) {
        const auto n = parse_count(m);
        if (!n) {
            std::cerr << "tlsrptctl import: --max-messages wants a number from 1\n";
            return 2;
        }
        mo.max_messages = *n;
    }
    for (const std::string* f : {&mo.move_to, &mo.rejected_to})
        if (!imap::quote(*f) || same_mailbox(*f, target.target->mailbox)) {
            std::cerr << "tlsrptctl import: folder '" << *f
                      << "' must be plain ASCII and not the mailbox read\n";
            return 2;
        }
    // the password is in this process from here on: no core dump, no ptrace, /proc/PID/environ
    // and /proc/PID/mem readable by root only
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    const imap::CredentialsResult creds = imap::find_credentials(value(*opts, "password-file"));
    if (!creds.credentials) {
        std::cerr << "tlsrptctl import: " << creds.error << "\n";
        return 2;
    }
    const auto verifier = make_dkim_verifier(*opts, "import");
    if (!verifier) return 2;
    st::Store store(opts->db, std::chrono::minutes(10));
    try {
        if (!schema_ready(store.schema_version())) return 1;
    } catch (...) {
        return db_failure("import");
    }
    imap::SessionOptions so{*target.target, *creds.credentials, insecure, value(*opts, "ca-file")};
    Progress progress;
    ItemImporter items(store, *verifier, {st::Source::imap, require_dkim, true}, progress);
    imap::MailboxImporter mailbox(items, progress, mo);
    Run run{so, items, mailbox};
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    return watching ? watch(run, *interval) : once(run);
}

} // namespace tlsrptctl
