// imap_session.cpp: see imap_session.hpp. One CURL easy handle per session: libcurl keeps the
// connection (and the SELECTed mailbox) between calls and reconnects when it was lost.
#include "imap_session.hpp"

#include "tlsrpt/text.hpp"

#include <curl/curl.h>

#include <algorithm>

namespace tlsrptctl::imap {

struct Session::Curl {
    CURL* handle = nullptr;
    char error[CURL_ERROR_SIZE] = {};
    std::string* sink = nullptr;
    std::size_t cap = 0;
    bool over = false;
    bool fresh = false;        // the last transfer failed: use a new connection next
    std::string last_response; // the server's last tagged (or BYE/NO/BAD) response line
};

namespace {

// Messages per FETCH of the listing. libcurl 7.88 counts an IMAP answer's untagged lines as
// headers, in a way that grows with the square of their number (measured against Dovecot: 50
// lines count 48 KiB, 500 pass its 300 KiB cap), and refuses the transfer past the cap.
constexpr std::uint64_t kListChunk = 64;

std::size_t on_write(char* data, std::size_t size, std::size_t n, void* user) {
    auto* c = static_cast<Session::Curl*>(user);
    const std::size_t len = size * n;
    if (c->sink->size() + len > c->cap) {
        c->over = true;
        return 0; // libcurl aborts the transfer with CURLE_WRITE_ERROR
    }
    c->sink->append(data, len);
    return len;
}

// Keeps the server's last status line for error messages; ignores everything we send (the
// AUTHENTICATE line carries the password) and the data.
int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
    if (type != CURLINFO_HEADER_IN) return 0;
    std::string_view line(data, std::min<std::size_t>(size, 300));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.remove_suffix(1);
    const bool untagged = line.substr(0, 2) == "* ";
    const bool notable =
        line.substr(0, 5) == "* BYE" || line.substr(0, 4) == "* NO" || line.substr(0, 5) == "* BAD";
    if (!untagged || notable) static_cast<Session::Curl*>(user)->last_response = line;
    return 0;
}

// Which libcurl failures a later attempt cannot cure.
Failure classify(CURLcode code) {
    switch (code) {
    case CURLE_LOGIN_DENIED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_USE_SSL_FAILED:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_AUTH_ERROR:
        return Failure::permanent;
    default:
        return Failure::temporary;
    }
}

} // namespace

Session::Session(SessionOptions options) : options_(std::move(options)), curl_(new Curl) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl_->handle = curl_easy_init();
    if (curl_->handle) configure(); // else open() reports it
}

void Session::configure() {
    CURL* h = curl_->handle;
    const Target& t = options_.target;
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    // the user goes into the URL (perform()): libcurl matches ~/.netrc entries only so
    if (options_.credentials.password) {
        curl_easy_setopt(h, CURLOPT_PASSWORD, options_.credentials.password->c_str());
    } else {
        curl_easy_setopt(h, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
        curl_easy_setopt(h, CURLOPT_NETRC_FILE, options_.credentials.netrc_file.c_str());
    }
    if (!t.implicit_tls)
        curl_easy_setopt(
            h, CURLOPT_USE_SSL,
            static_cast<long>(options_.insecure_plaintext ? CURLUSESSL_TRY : CURLUSESSL_ALL));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    // a stalled server: less than 1 byte/s for `timeout`; any one call at most 10 minutes
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 600L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_->error);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, curl_.get());
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, curl_.get());
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
}

Session::~Session() {
    if (curl_->handle) curl_easy_cleanup(curl_->handle);
    curl_global_cleanup();
}

// One libcurl transfer: `path` after the server's URL, `custom` as the command ("" fetches
// the message the path names); the answer's untagged lines or the message into `out`.
Status Session::perform(const std::string& path, const std::string& custom, std::string& out,
                        std::size_t cap) {
    CURL* h = curl_->handle;
    if (!h) return {Failure::permanent, "libcurl could not be initialized"};
    const Target& t = options_.target;
    const bool v6 = t.host.find(':') != std::string::npos;
    char* user = curl_easy_escape(h, t.user.c_str(), static_cast<int>(t.user.size()));
    const std::string url = std::string(t.implicit_tls ? "imaps://" : "imap://") +
                            (user ? user : "") + "@" + (v6 ? "[" + t.host + "]" : t.host) + ":" +
                            std::to_string(t.port) + "/" + path;
    curl_free(user);
    out.clear();
    curl_->sink = &out;
    curl_->cap = cap;
    curl_->over = false;
    curl_->error[0] = '\0';
    curl_->last_response.clear();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, custom.empty() ? nullptr : custom.c_str());
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, curl_->fresh ? 1L : 0L);
    const CURLcode rc = curl_easy_perform(h);
    curl_->fresh = rc != CURLE_OK;
    if (rc == CURLE_OK) return {};
    std::string why = curl_->error[0] ? curl_->error : curl_easy_strerror(rc);
    if (!curl_->last_response.empty())
        why += " (server: " + tlsrpt::printable(curl_->last_response) + ")";
    if (rc == CURLE_PEER_FAILED_VERIFICATION)
        why += "; the server's certificate is not trusted: --ca-file names a private CA";
    return {classify(rc), why};
}

Status Session::command(const std::string& cmd, std::string& out) {
    return perform(mailbox_path(), cmd, out);
}

Status Session::command(const std::string& cmd) {
    std::string ignored;
    return command(cmd, ignored);
}

std::string Session::mailbox_path() const {
    char* e = curl_easy_escape(curl_->handle, options_.target.mailbox.c_str(),
                               static_cast<int>(options_.target.mailbox.size()));
    std::string out = e ? e : "";
    curl_free(e);
    if (!uidvalidity_.empty()) out += ";UIDVALIDITY=" + uidvalidity_;
    return out;
}

std::string Session::server_name(const std::string& folder) const {
    return with_delimiter(folder, delimiter_);
}

Status Session::open() {
    std::string out;
    Status s = perform("", "CAPABILITY", out);
    if (!s.ok()) return s;
    capabilities_ = parse_capabilities(out);
    s = perform("", "LIST \"\" \"\"", out);
    if (!s.ok()) return s;
    if (const auto d = parse_list_delimiter(out)) delimiter_ = *d;
    const std::string quoted = *quote(options_.target.mailbox);
    s = perform("", "STATUS " + quoted + " (UIDVALIDITY)", out);
    if (!s.ok()) {
        std::string list;
        if (perform("", "LIST \"\" " + quoted, list).ok() && !has_list_line(list))
            return {Failure::permanent, "no mailbox " + quoted + " on the server"};
        return s;
    }
    const std::size_t at = out.find("UIDVALIDITY ");
    if (at != std::string::npos) {
        std::size_t end = at + 12;
        while (end < out.size() && out[end] >= '0' && out[end] <= '9')
            ++end;
        uidvalidity_ = out.substr(at + 12, end - at - 12);
    }
    return {};
}

Status Session::list(std::map<Uid, std::uint64_t>& out) {
    std::string status;
    Status s = command("STATUS " + *quote(options_.target.mailbox) + " (MESSAGES)", status);
    if (!s.ok()) return s;
    const auto messages = parse_status_messages(status);
    if (!messages) return {Failure::temporary, "the server's STATUS answer holds no MESSAGES"};
    for (std::uint64_t first = 1; first <= *messages; first += kListChunk) {
        const std::uint64_t last = std::min<std::uint64_t>(*messages, first + kListChunk - 1);
        std::string answer;
        s = command("FETCH " + std::to_string(first) + ":" + std::to_string(last) +
                        " (UID FLAGS RFC822.SIZE)",
                    answer);
        if (!s.ok()) return s;
        for (const auto& [uid, size] : parse_sizes(answer, true))
            out[uid] = size;
    }
    return {};
}

Fetched Session::fetch(Uid uid, std::size_t cap) {
    Fetched f;
    f.status = perform(mailbox_path() + "/;UID=" + std::to_string(uid), "", f.bytes, cap);
    if (curl_->over) {
        f.too_large = true;
        f.bytes.clear();
        f.status = {Failure::temporary, "more than " + std::to_string(cap) + " bytes"};
    }
    return f;
}

Status Session::ensure_folder(const std::string& folder) {
    const auto quoted = quote(server_name(folder));
    if (!quoted) return {Failure::permanent, "folder name '" + folder + "' is not plain ASCII"};
    std::string out;
    Status s = command("LIST \"\" " + *quoted, out);
    if (!s.ok()) return s;
    if (has_list_line(out)) return {};
    const Status created = command("CREATE " + *quoted);
    s = command("LIST \"\" " + *quoted, out); // another client may have created it meanwhile
    if (s.ok() && has_list_line(out)) return {};
    const Failure why = !created.ok() ? created.failure : s.failure; // a network blip: for now
    return {why == Failure::temporary ? why : Failure::permanent,
            "cannot create folder " + *quoted + ": " + (created.ok() ? s.error : created.error)};
}

// UID MOVE (RFC 6851) where the server has it; else UID COPY, then remove(): the message is
// never gone from INBOX before its copy is in the folder.
Status Session::move(Uid uid, const std::string& folder) {
    const std::string n = std::to_string(uid);
    const auto quoted = quote(server_name(folder));
    if (!quoted) return {Failure::permanent, "folder name '" + folder + "' cannot be sent"};
    if (capabilities_.count("MOVE")) return command("UID MOVE " + n + " " + *quoted);
    Status s = command("UID COPY " + n + " " + *quoted);
    if (!s.ok()) return s;
    return remove(uid);
}

// Flagged \Deleted, then expunged by UID (UIDPLUS, RFC 4315). A server without UIDPLUS only
// has the plain EXPUNGE, which would also remove every message another client flagged
// \Deleted: the message stays flagged instead (the listing skips it) for the
// server's or the user's next expunge.
Status Session::remove(Uid uid) {
    const std::string n = std::to_string(uid);
    Status s = command("UID STORE " + n + " +FLAGS.SILENT (\\Deleted)");
    if (!s.ok() || !capabilities_.count("UIDPLUS")) return s;
    return command("UID EXPUNGE " + n);
}

} // namespace tlsrptctl::imap
