// dns_resolver.cpp: tlsrpt::dns::Resolver (dns.hpp) on libunbound. Queries go out with
// ub_resolve_async; a dispatcher thread waits on ub_fd() and runs ub_process(), which calls
// on_answer() for each finished query; the asking thread waits on its Query until the answer
// or its deadline, and cancels the query when the deadline passes first.
#include "tlsrpt/dns.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unbound.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace tlsrpt::dns {

namespace {

constexpr int kTypeTxt = 16, kClassIn = 1;

// One query in flight. The callback owns the heap-held shared_ptr it is given.
struct Query {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    TxtAnswer answer;
};

// TXT RDATA: one or more <length><bytes> character-strings (RFC 1035 §3.3.14), joined.
std::string txt_rdata(const char* data, int len) {
    std::string out;
    for (int i = 0; i < len;) {
        const int n = static_cast<unsigned char>(data[i++]);
        if (n > len - i) break; // malformed: keep what was whole
        out.append(data + i, static_cast<std::size_t>(n));
        i += n;
    }
    return out;
}

Dnssec dnssec_of(const ub_result& r, bool validating) {
    if (!validating) return Dnssec::unknown;
    if (r.secure) return Dnssec::secure;
    return r.bogus ? Dnssec::bogus : Dnssec::insecure;
}

TxtAnswer answer_of(int err, ub_result* r, bool validating) {
    TxtAnswer a;
    if (err != 0 || !r) {
        a.error = std::string("resolver: ") + ub_strerror(err);
        return a;
    }
    a.dnssec = dnssec_of(*r, validating);
    if (r->bogus) {
        a.rcode = Rcode::bogus;
        a.error =
            std::string("DNSSEC validation failed: ") + (r->why_bogus ? r->why_bogus : "bogus");
    } else if (r->havedata) {
        a.rcode = Rcode::ok;
        for (int i = 0; r->data[i]; ++i)
            a.records.push_back(txt_rdata(r->data[i], r->len[i]));
    } else if (r->rcode == 0 || r->rcode == 3) { // NOERROR without data, NXDOMAIN
        a.rcode = Rcode::nxdomain;
    } else {
        a.error = "DNS rcode " + std::to_string(r->rcode) + (r->rcode == 2 ? " (SERVFAIL)" : "");
    }
    return a;
}

struct Callback {
    std::shared_ptr<Query> query;
    bool validating;
};

void on_answer(void* data, int err, ub_result* r) {
    std::unique_ptr<Callback> cb(static_cast<Callback*>(data));
    TxtAnswer a = answer_of(err, r, cb->validating);
    if (r) ub_resolve_free(r);
    {
        std::lock_guard<std::mutex> lock(cb->query->m);
        cb->query->answer = std::move(a);
        cb->query->done = true;
    }
    cb->query->cv.notify_all();
}

void check(int rc, const std::string& what) {
    if (rc != 0) throw std::runtime_error(what + ": " + ub_strerror(rc));
}

} // namespace

const char* to_string(Dnssec d) {
    switch (d) {
    case Dnssec::unknown:
        return "unknown";
    case Dnssec::secure:
        return "secure";
    case Dnssec::insecure:
        return "insecure";
    case Dnssec::bogus:
        return "bogus";
    }
    return "?";
}

std::string forwarder_address(const std::string& text) {
    std::string host = text, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) throw std::invalid_argument("missing ']'");
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') throw std::invalid_argument("expected ]:PORT");
            port = text.substr(close + 2);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        host = text.substr(0, text.find(':'));
        port = text.substr(text.find(':') + 1);
    }
    unsigned char buf[16];
    if (inet_pton(AF_INET, host.c_str(), buf) != 1 && inet_pton(AF_INET6, host.c_str(), buf) != 1)
        throw std::invalid_argument("'" + host + "' is not an IP address");
    if (!port.empty()) {
        if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(port) == 0 || std::stoi(port) > 65535)
            throw std::invalid_argument("'" + port + "' is not a port");
        return host + "@" + port;
    }
    return host;
}

struct Resolver::Impl {
    ResolverOptions options;
    ub_ctx* ctx = nullptr;
    std::mutex ctx_mutex; // ub_resolve_async / ub_cancel against each other
    std::atomic<bool> stop{false};
    int wake = -1; // eventfd: the destructor wakes the dispatcher at once (no poll timeout
                   // to wait out: every tlsrptctl command would end 200 ms late)
    std::thread dispatcher;

    void dispatch() {
        pollfd p[2] = {{ub_fd(ctx), POLLIN, 0}, {wake, POLLIN, 0}};
        while (!stop.load()) {
            if (poll(p, 2, -1) > 0 && (p[0].revents & POLLIN)) ub_process(ctx);
        }
    }
};

Resolver::Resolver(const ResolverOptions& options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    impl_->ctx = ub_ctx_create();
    if (!impl_->ctx) throw std::runtime_error("libunbound: cannot create a context");
    try {
        ub_ctx* c = impl_->ctx;
        check(ub_ctx_async(c, 1), "libunbound: threads");
        // small caches; keep asking a forwarder that was down (a test or a restart)
        check(ub_ctx_set_option(c, "msg-cache-size:", "1m"), "msg-cache-size");
        check(ub_ctx_set_option(c, "rrset-cache-size:", "2m"), "rrset-cache-size");
        check(ub_ctx_set_option(c, "infra-keep-probing:", "yes"), "infra-keep-probing");
        check(ub_ctx_set_option(c, "infra-host-ttl:", "2"), "infra-host-ttl");
        check(ub_ctx_set_option(c, "do-not-query-localhost:", "no"), "do-not-query-localhost");
        if (options.resolver.empty() || options.resolver == "system") {
            check(ub_ctx_resolvconf(c, nullptr), "Resolver system: /etc/resolv.conf");
        } else {
            std::string fwd;
            try {
                fwd = forwarder_address(options.resolver);
            } catch (const std::invalid_argument& e) {
                throw std::runtime_error("Resolver '" + options.resolver + "': " + e.what());
            }
            check(ub_ctx_set_fwd(c, fwd.c_str()), "Resolver " + options.resolver);
        }
        if (!options.trust_anchor.empty())
            check(ub_ctx_add_ta_file(c, options.trust_anchor.c_str()),
                  "trust anchor " + options.trust_anchor);
        // ub_ctx_add_ta_file only notes the name: libunbound reads the file when the context
        // is finalized, by default at the first query, whose every lookup would then fail as
        // a temporary error. Finalize now (ub_ctx_zone_remove does, and removing a zone that
        // is not there changes nothing) so that a missing or unreadable file is refused here.
        check(ub_ctx_zone_remove(c, "tlsrpt-milter.invalid."),
              options.trust_anchor.empty()
                  ? std::string("libunbound: configuration")
                  : "trust anchor " + options.trust_anchor + " (unreadable, or not DS/DNSKEY)");
    } catch (...) {
        ub_ctx_delete(impl_->ctx);
        throw;
    }
    impl_->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    try {
        if (impl_->wake < 0) throw std::runtime_error("resolver: eventfd failed");
        impl_->dispatcher = std::thread([this] { impl_->dispatch(); });
    } catch (...) {
        if (impl_->wake >= 0) close(impl_->wake);
        ub_ctx_delete(impl_->ctx);
        throw;
    }
}

Resolver::~Resolver() {
    impl_->stop = true;
    const std::uint64_t one = 1;
    if (write(impl_->wake, &one, sizeof one) < 0) {
        // an eventfd write fails only at its counter's maximum: it is readable then anyway
    }
    if (impl_->dispatcher.joinable()) impl_->dispatcher.join();
    close(impl_->wake);
    ub_ctx_delete(impl_->ctx); // cancels what is still in flight without calling back
}

const ResolverOptions& Resolver::options() const {
    return impl_->options;
}

TxtAnswer Resolver::lookup_txt(const std::string& name,
                               std::chrono::steady_clock::time_point deadline) {
    auto query = std::make_shared<Query>();
    auto cb = std::make_unique<Callback>(Callback{query, !impl_->options.trust_anchor.empty()});
    int id = 0;
    Callback* handed = nullptr; // owned by libunbound's callback once the query is out
    {
        std::lock_guard<std::mutex> lock(impl_->ctx_mutex);
        const int rc = ub_resolve_async(impl_->ctx, name.c_str(), kTypeTxt, kClassIn, cb.get(),
                                        on_answer, &id);
        if (rc != 0) {
            TxtAnswer a;
            a.error = std::string("resolver: ") + ub_strerror(rc);
            return a;
        }
        handed = cb.release(); // on_answer frees it
    }
    std::unique_lock<std::mutex> lock(query->m);
    if (query->cv.wait_until(lock, deadline, [&] { return query->done; }))
        return std::move(query->answer);
    lock.unlock();
    {
        std::lock_guard<std::mutex> ctx_lock(impl_->ctx_mutex);
        // cancelled: on_answer will never run, so its Callback is ours to free; otherwise
        // it is running or ran, and freed it
        if (ub_cancel(impl_->ctx, id) == 0) delete handed;
    }
    lock.lock();
    if (query->done) return std::move(query->answer); // answered while we gave up
    TxtAnswer a;
    a.error = "no answer from the resolver in time (" + impl_->options.resolver + ")";
    return a;
}

} // namespace tlsrpt::dns
