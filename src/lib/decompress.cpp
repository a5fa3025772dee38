// decompress.cpp: the decompression stage. gzip through zlib (concatenated members, RFC 1952
// §2.2), zip through libarchive. Output is capped (RFC 8460 §6.5 defers to RFC 6713: guard
// against decompression bombs); embedded file names are never used as paths.
#include "tlsrpt/decompress.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <memory>

namespace tlsrpt {

PayloadFormat sniff_format(std::string_view b) {
    if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x1f &&
        static_cast<unsigned char>(b[1]) == 0x8b)
        return PayloadFormat::gzip;
    if (b.size() >= 4 && b.substr(0, 4) == std::string_view("PK\3\4", 4)) return PayloadFormat::zip;
    if (b.substr(0, 3) == "\xEF\xBB\xBF") b.remove_prefix(3);
    for (char c : b.substr(0, 4096)) {
        if (c == '{') return PayloadFormat::json;
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
    }
    return PayloadFormat::unknown;
}

namespace {

struct InflateStream {
    z_stream zs{};
    bool ready = false;
    InflateStream() { ready = inflateInit2(&zs, 15 + 16) == Z_OK; }
    ~InflateStream() {
        if (ready) inflateEnd(&zs);
    }
    InflateStream(const InflateStream&) = delete;
    InflateStream& operator=(const InflateStream&) = delete;
};

Error too_big(std::size_t max_out) {
    return make_error(ErrorKind::too_large,
                      "decompressed data exceeds what is left of max_decompressed_size (" +
                          std::to_string(max_out) + " bytes)");
}

bool all_zero(std::string_view s) {
    for (char c : s)
        if (c != 0) return false;
    return true;
}

// RFC 1952 §2.3.1: ISIZE, the last member's uncompressed size mod 2^32. Only a hint for the
// first allocation (it may lie); the cap is enforced on what inflate really produces.
std::size_t size_hint(std::string_view in) {
    if (in.size() < 18) return 4096;
    const auto* p = reinterpret_cast<const unsigned char*>(in.data() + in.size() - 4);
    const std::size_t isize = p[0] | (p[1] << 8) | (p[2] << 16) | (std::size_t{p[3]} << 24);
    return std::max<std::size_t>(isize + 1, 256);
}

} // namespace

Result<std::string> gunzip(std::string_view in, std::size_t max_out) {
    thread_local InflateStream s; // zlib's state and window, allocated once per thread
    if (!s.ready) return make_error(ErrorKind::malformed, "gzip: zlib could not start");
    inflateReset(&s.zs);
    std::string out;
    out.reserve(std::min(size_hint(in), max_out + 1) + 64); // + room for a JSON parser's padding
    out.resize(std::min(size_hint(in), max_out + 1));
    s.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.zs.avail_in = static_cast<uInt>(in.size());
    std::size_t produced = 0;
    for (;;) {
        if (produced == out.size()) {
            if (out.size() > max_out) return too_big(max_out);
            out.resize(std::min(out.size() * 2, max_out + 1));
        }
        s.zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        s.zs.avail_out = static_cast<uInt>(out.size() - produced);
        const uInt before_in = s.zs.avail_in, before_out = s.zs.avail_out;
        const int rc = inflate(&s.zs, Z_NO_FLUSH);
        produced = out.size() - s.zs.avail_out;
        if (produced > max_out) return too_big(max_out);
        if (rc == Z_STREAM_END) {
            const std::string_view rest(reinterpret_cast<const char*>(s.zs.next_in), s.zs.avail_in);
            if (rest.empty() || all_zero(rest)) break;
            if (sniff_format(rest) != PayloadFormat::gzip)
                return make_error(ErrorKind::malformed, "gzip: trailing garbage after member");
            inflateReset(&s.zs); // next concatenated member
            continue;
        }
        if (rc == Z_DATA_ERROR)
            return make_error(ErrorKind::malformed,
                              std::string("gzip: corrupt data: ") + (s.zs.msg ? s.zs.msg : "?"));
        if (rc == Z_MEM_ERROR) return make_error(ErrorKind::too_large, "gzip: out of memory");
        const bool progress = s.zs.avail_in != before_in || s.zs.avail_out != before_out;
        if (s.zs.avail_in == 0 && s.zs.avail_out != 0)
            return make_error(ErrorKind::malformed, "gzip: truncated (input ends mid-stream)");
        if (!progress && s.zs.avail_out != 0)
            return make_error(ErrorKind::malformed, "gzip: stream makes no progress");
    }
    out.resize(produced);
    return out;
}

namespace {

struct ArchiveCloser {
    void operator()(archive* a) const { archive_read_free(a); }
};

std::string archive_message(archive* a) {
    const char* msg = archive_error_string(a);
    return msg ? msg : "unreadable archive";
}

bool looks_like_report_name(std::string_view name) {
    auto ends = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
    };
    return ends(".json") || ends(".gz") || ends(".JSON") || ends(".GZ");
}

} // namespace

Result<std::vector<ArchiveEntry>> unzip(std::string_view bytes, std::size_t max_out,
                                        std::size_t max_entries) {
    std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
    if (!a) return make_error(ErrorKind::too_large, "zip: out of memory");
    archive_read_support_format_zip(a.get());
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
        return make_error(ErrorKind::malformed, std::string("zip: ") + archive_message(a.get()));
    std::vector<ArchiveEntry> out;
    std::size_t total = 0;
    archive_entry* entry = nullptr;
    for (std::size_t seen = 0;; ++seen) {
        const int rc = archive_read_next_header(a.get(), &entry);
        if (rc == ARCHIVE_EOF) break;
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
            return make_error(ErrorKind::malformed,
                              std::string("zip: ") + archive_message(a.get()));
        if (seen >= 4 * max_entries)
            return make_error(ErrorKind::too_large, "zip: too many entries");
        if (archive_entry_filetype(entry) != AE_IFREG) continue;
        const char* path = archive_entry_pathname(entry);
        ArchiveEntry e{path ? path : "", {}};
        char buf[16384];
        for (;;) {
            const la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
            if (n == 0) break;
            if (n < 0)
                return make_error(ErrorKind::malformed,
                                  "zip: entry " + e.name + ": " + archive_message(a.get()));
            total += static_cast<std::size_t>(n);
            if (total > max_out) return too_big(max_out);
            e.data.append(buf, static_cast<std::size_t>(n));
        }
        if (!looks_like_report_name(e.name) && sniff_format(e.data) == PayloadFormat::unknown)
            continue;
        if (out.size() >= max_entries)
            return make_error(ErrorKind::too_large, "zip: more than max_reports report entries");
        out.push_back(std::move(e));
    }
    if (out.empty()) return make_error(ErrorKind::not_a_report, "zip: no .json entry");
    return out;
}

} // namespace tlsrpt
