// dkim_verify.cpp: tlsrpt::DkimVerifier (dkim_verify.hpp). libopendkim does the cryptography;
// its key-lookup hook fetches keys through our Resolver and records, per key, how the lookup
// ended, the key's s= list and its DNSSEC status, so that the rule (dkim_rule.cpp) and not
// libopendkim decides what a missing, unreachable or tlsrpt-only key means. The hook always
// lets libopendkim go on to the next signature (a key lookup that failed is "not found" to
// it), so one bad signature never hides a good one.
#include "tlsrpt/dkim_verify.hpp"

#include "tlsrpt/text.hpp"

// dkim.h is C and spells bool as C99's _Bool
#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool

#include <cstring>
#include <map>
#include <stdexcept>

namespace tlsrpt {

namespace {

// What the key-lookup hook learnt about one key.
struct KeyInfo {
    KeyLookup lookup = KeyLookup::ok;
    std::optional<std::vector<std::string>> services;
    std::string dnssec = "unknown";
    std::string error;
};

// Per message: handed to the hooks through dkim_set_user_context.
struct MessageState {
    dns::Resolver* resolver = nullptr;
    std::chrono::steady_clock::time_point deadline;
    std::size_t max_signatures = 0;
    std::map<std::string, KeyInfo> keys; // by "selector._domainkey.domain"
};

std::string text_of(const unsigned char* s) {
    return s ? std::string(reinterpret_cast<const char*>(s)) : std::string();
}

std::string key_name(DKIM_SIGINFO* sig) {
    return text_of(dkim_sig_getselector(sig)) + "._domainkey." + text_of(dkim_sig_getdomain(sig));
}

// A name we are willing to ask about: LDH/underscore labels of 1-63, at most 253 in all.
bool is_queryable(const std::string& name) {
    if (name.empty() || name.size() > 253) return false;
    std::size_t label = 0;
    for (const char c : name) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || ++label > 63) return false;
    }
    return label > 0;
}

int dnssec_code(dns::Dnssec d) {
    switch (d) {
    case dns::Dnssec::secure:
        return DKIM_DNSSEC_SECURE;
    case dns::Dnssec::insecure:
        return DKIM_DNSSEC_INSECURE;
    case dns::Dnssec::bogus:
        return DKIM_DNSSEC_BOGUS;
    case dns::Dnssec::unknown:
        break;
    }
    return DKIM_DNSSEC_UNKNOWN;
}

// Looks the key up and records the outcome; returns the record for libopendkim, or nullopt.
std::optional<std::string> fetch_key(MessageState& st, const std::string& name, KeyInfo& info) {
    if (!is_queryable(name)) {
        info.lookup = KeyLookup::not_found;
        info.error = "not a valid DNS name";
        return std::nullopt;
    }
    const dns::TxtAnswer a = st.resolver->lookup_txt(name, st.deadline);
    info.dnssec = dns::to_string(a.dnssec);
    info.error = a.error;
    switch (a.rcode) {
    case dns::Rcode::ok:
        return key_record_for_library(a.records.front(), info.services);
    case dns::Rcode::nxdomain:
        info.lookup = KeyLookup::not_found;
        break;
    case dns::Rcode::temporary:
        info.lookup = KeyLookup::temporary;
        break;
    case dns::Rcode::bogus:
        info.lookup = KeyLookup::bogus;
        break;
    }
    return std::nullopt;
}

extern "C" DKIM_CBSTAT key_lookup_hook(DKIM* dkim, DKIM_SIGINFO* sig, u_char* buf, size_t len) {
    auto* st = static_cast<MessageState*>(dkim_get_user_context(dkim));
    if (!st || !buf || len == 0) return DKIM_CBSTAT_ERROR;
    try {
        const std::string name = key_name(sig);
        KeyInfo& info = st->keys[name];
        const std::optional<std::string> record = fetch_key(*st, name, info);
        if (!record) return DKIM_CBSTAT_NOTFOUND;
        if (record->size() >= len) {
            info.lookup = KeyLookup::not_found;
            info.error = "key record too long";
            return DKIM_CBSTAT_NOTFOUND;
        }
        std::memcpy(buf, record->c_str(), record->size() + 1);
        const dns::Dnssec d = info.dnssec == "secure"     ? dns::Dnssec::secure
                              : info.dnssec == "insecure" ? dns::Dnssec::insecure
                                                          : dns::Dnssec::unknown;
        dkim_sig_setdnssec(sig, dnssec_code(d));
        return DKIM_CBSTAT_CONTINUE;
    } catch (...) {
        return DKIM_CBSTAT_ERROR; // bad_alloc: the signature ends up unverified
    }
}

// Verifies the first max_signatures signatures and ignores the rest.
extern "C" DKIM_CBSTAT prescreen_hook(DKIM* dkim, DKIM_SIGINFO** sigs, int nsigs) {
    auto* st = static_cast<MessageState*>(dkim_get_user_context(dkim));
    if (!st) return DKIM_CBSTAT_CONTINUE;
    for (int i = 0; i < nsigs; ++i)
        if (static_cast<std::size_t>(i) >= st->max_signatures) dkim_sig_ignore(sigs[i]);
    return DKIM_CBSTAT_CONTINUE;
}

SigError sig_error(int code) {
    switch (code) {
    case DKIM_SIGERROR_OK:
    case DKIM_SIGERROR_UNKNOWN:
        return SigError::none;
    case DKIM_SIGERROR_BADSIG:
        return SigError::bad_signature;
    case DKIM_SIGERROR_KEYTOOSMALL:
        return SigError::key_too_small;
    case DKIM_SIGERROR_NOTEMAILKEY:
        return SigError::key_service;
    case DKIM_SIGERROR_NOKEY:
    case DKIM_SIGERROR_KEYFAIL:
    case DKIM_SIGERROR_MULTIREPLY:
        return SigError::other; // our own KeyInfo says why
    case DKIM_SIGERROR_DNSSYNTAX:
    case DKIM_SIGERROR_KEYVERSION:
    case DKIM_SIGERROR_KEYUNKNOWNHASH:
    case DKIM_SIGERROR_KEYHASHMISMATCH:
    case DKIM_SIGERROR_KEYTYPEMISSING:
    case DKIM_SIGERROR_KEYTYPEUNKNOWN:
    case DKIM_SIGERROR_KEYREVOKED:
    case DKIM_SIGERROR_KEYDECODE:
        return SigError::key_unusable;
    default:
        return SigError::signature_tags;
    }
}

std::string algorithm_of(DKIM_SIGINFO* sig) {
    dkim_alg_t alg = DKIM_SIGN_UNKNOWN;
    if (dkim_sig_getsignalg(sig, &alg) == DKIM_STAT_OK) {
        if (alg == DKIM_SIGN_RSASHA1) return "rsa-sha1";
        if (alg == DKIM_SIGN_RSASHA256) return "rsa-sha256";
        if (alg == DKIM_SIGN_ED25519SHA256) return "ed25519-sha256";
    }
    return to_lower(text_of(dkim_sig_gettagvalue(sig, false, (u_char*)"a")));
}

SignatureFacts facts_of(DKIM_SIGINFO* sig, const MessageState& st) {
    SignatureFacts f;
    f.domain = normalize_domain(text_of(dkim_sig_getdomain(sig)));
    f.selector = text_of(dkim_sig_getselector(sig));
    f.algorithm = algorithm_of(sig);
    const unsigned flags = dkim_sig_getflags(sig);
    if (flags & DKIM_SIGFLAG_IGNORE) {
        f.key_lookup = KeyLookup::skipped;
        return f;
    }
    f.header_verified = (flags & DKIM_SIGFLAG_PASSED) != 0;
    const int bh = dkim_sig_getbh(sig);
    if (bh != DKIM_SIGBH_UNTESTED) f.body_verified = bh == DKIM_SIGBH_MATCH;
    f.has_length_tag = dkim_sig_gettagvalue(sig, false, (u_char*)"l") != nullptr;
    unsigned bits = 0;
    if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK) f.key_bits = bits;
    const int code = dkim_sig_geterror(sig);
    f.error = sig_error(code);
    if (code != DKIM_SIGERROR_OK && code != DKIM_SIGERROR_UNKNOWN)
        f.error_text = dkim_sig_geterrorstr(code) ? dkim_sig_geterrorstr(code) : "";
    const auto key = st.keys.find(key_name(sig));
    if (key == st.keys.end()) {
        if (!(flags & DKIM_SIGFLAG_PROCESSED)) f.error = SigError::signature_tags;
        return f;
    }
    f.key_lookup = key->second.lookup;
    f.key_services = key->second.services;
    f.dnssec = key->second.dnssec;
    if (f.key_lookup != KeyLookup::ok) f.error_text = key->second.error;
    return f;
}

// The colon-separated service list of a key's s= tag (RFC 6376 §3.6.1), lower-cased.
std::vector<std::string> split_services(std::string_view list) {
    std::vector<std::string> out;
    for (std::size_t p = 0; p <= list.size();) {
        std::size_t colon = list.find(':', p);
        if (colon == std::string_view::npos) colon = list.size();
        std::string item = to_lower(trim(list.substr(p, colon - p)));
        if (!item.empty()) out.push_back(std::move(item));
        p = colon + 1;
    }
    return out;
}

} // namespace

struct DkimVerifier::Library {
    DKIM_LIB* lib = nullptr;
    ~Library() {
        if (lib) dkim_close(lib);
    }
};

DkimVerifier::DkimVerifier(std::shared_ptr<dns::Resolver> resolver, DkimOptions options)
    : resolver_(std::move(resolver)), options_(options), lib_(std::make_unique<Library>()) {
    lib_->lib = dkim_init(nullptr, nullptr);
    if (!lib_->lib) throw std::runtime_error("libopendkim: dkim_init failed");
    unsigned int flags = DKIM_LIBFLAGS_FIXCRLF;
    unsigned int min_bits = 1; // the rule judges key sizes (RFC 8301), not the library
    dkim_options(lib_->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags);
    dkim_options(lib_->lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &min_bits, sizeof min_bits);
    dkim_set_key_lookup(lib_->lib, key_lookup_hook);
    dkim_set_prescreen(lib_->lib, prescreen_hook);
}

DkimVerifier::~DkimVerifier() = default;

DkimVerification DkimVerifier::verify(std::string_view message) const {
    DkimVerification out;
    MessageState st;
    st.resolver = resolver_.get();
    st.deadline = std::chrono::steady_clock::now() + options_.timeout;
    st.max_signatures = options_.max_signatures;
    DKIM_STAT status = DKIM_STAT_OK;
    DKIM* d = dkim_verify(lib_->lib, (const u_char*)"tlsrpt", nullptr, &status);
    if (!d) {
        out.error = std::string("libopendkim: ") + dkim_getresultstr(status);
        return out;
    }
    dkim_set_user_context(d, &st);
    std::string copy(message); // dkim_chunk takes a non-const buffer
    status = dkim_chunk(d, reinterpret_cast<u_char*>(copy.data()), copy.size());
    if (status == DKIM_STAT_OK) status = dkim_chunk(d, nullptr, 0);
    if (status == DKIM_STAT_OK || status == DKIM_STAT_NOSIG) status = dkim_eom(d, nullptr);
    DKIM_SIGINFO** sigs = nullptr;
    int n = 0;
    if (dkim_getsiglist(d, &sigs, &n) == DKIM_STAT_OK)
        for (int i = 0; i < n; ++i)
            out.signatures.push_back(facts_of(sigs[i], st));
    if (out.signatures.empty() && status != DKIM_STAT_OK && status != DKIM_STAT_NOSIG)
        out.error = std::string("libopendkim: ") + dkim_getresultstr(status) +
                    (dkim_geterror(d) ? std::string(": ") + dkim_geterror(d) : "");
    dkim_free(d);
    return out;
}

std::vector<SignatureCheck> check_signatures(const DkimVerification& v) {
    std::vector<SignatureCheck> out;
    out.reserve(v.signatures.size());
    for (const SignatureFacts& f : v.signatures)
        out.push_back(check_signature(f));
    return out;
}

std::string key_record_for_library(std::string_view record,
                                   std::optional<std::vector<std::string>>& services) {
    services.reset();
    std::size_t tag_at = 0, tag_len = 0; // where the s= tag is, to rewrite it in place
    for (std::size_t start = 0; start <= record.size();) {
        std::size_t end = record.find(';', start);
        if (end == std::string_view::npos) end = record.size();
        const std::string_view tag = trim(record.substr(start, end - start));
        const auto eq = tag.find('=');
        if (eq != std::string_view::npos && trim(tag.substr(0, eq)) == "s") {
            if (services) { // RFC 6376 §3.2: a duplicate tag makes the whole record invalid
                services.emplace();
                return std::string(record);
            }
            services = split_services(tag.substr(eq + 1));
            tag_at = static_cast<std::size_t>(tag.data() - record.data());
            tag_len = tag.size();
        }
        start = end + 1;
    }
    std::string out(record);
    if (services && key_allows_tlsrpt(services)) out.replace(tag_at, tag_len, "s=email");
    return out;
}

} // namespace tlsrpt
