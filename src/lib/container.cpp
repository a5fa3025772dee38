// container.cpp: the container stage, RFC 8460 §5.3 and RFC 6522 with GMime 3.
//
// Visits every leaf of the message. application/tlsrpt+gzip and +json are reports by type; the
// looser types real senders use count when the bytes or the filename say so; a message whose
// whole body is the report is accepted too (digest §2.3). MIME depth and part count are bounded
// before GMime parses anything, since its parser recurses once per nesting level.
#include "tlsrpt/container.hpp"

#include "tlsrpt/decompress.hpp"
#include "tlsrpt/headers.hpp"
#include "tlsrpt/text.hpp"

#include <gmime/gmime.h>

#include <cstring>
#include <memory>
#include <optional>
#include <strings.h>

namespace tlsrpt {

namespace {

struct GObjectUnref {
    void operator()(void* p) const {
        if (p) g_object_unref(p);
    }
};
template <typename T> using GPtr = std::unique_ptr<T, GObjectUnref>;

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           strncasecmp(s.data() + s.size() - suffix.size(), suffix.data(), suffix.size()) == 0;
}

// A pre-scan of what GMime would build, before it builds anything (GMime makes one object per
// part and per header line, and recurses once per nesting level): lines that can open a part
// ("--" and a boundary), header lines (of the message and of every part's header block), and
// Content-Type fields that open a container (multipart/*, message/*; "Content-Type :" with
// blanks before the colon counts too, as GMime reads it so).
struct MimeCensus {
    std::size_t delimiters = 0;
    std::size_t header_lines = 0;
    std::size_t containers = 0;
};

bool opens_container(std::string_view line) {
    static constexpr std::string_view field = "content-type";
    if (line.size() <= field.size() || strncasecmp(line.data(), field.data(), field.size()) != 0)
        return false;
    std::size_t v = field.size();
    while (v < line.size() && (line[v] == ' ' || line[v] == '\t'))
        ++v;
    if (v >= line.size() || line[v] != ':') return false;
    ++v;
    while (v < line.size() && (line[v] == ' ' || line[v] == '\t'))
        ++v;
    const std::string_view rest = line.substr(v);
    return (rest.size() >= 10 && strncasecmp(rest.data(), "multipart/", 10) == 0) ||
           (rest.size() >= 8 && strncasecmp(rest.data(), "message/", 8) == 0);
}

MimeCensus census(std::string_view m) {
    MimeCensus c;
    bool in_headers = true; // the message's own header section first
    for (std::size_t i = 0; i < m.size();) {
        const std::size_t nl = m.find('\n', i);
        const std::size_t end = nl == std::string_view::npos ? m.size() : nl + 1;
        std::string_view line = m.substr(i, end - i);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
            line.remove_suffix(1);
        i = end;
        if (line.size() > 2 && line[0] == '-' && line[1] == '-' && line[2] != ' ' &&
            line[2] != '\t') {
            ++c.delimiters;
            in_headers = true; // a part's header block follows a boundary line
            continue;
        }
        if (!in_headers) continue;
        if (line.empty()) {
            in_headers = false;
            continue;
        }
        ++c.header_lines;
        if (opens_container(line)) ++c.containers;
    }
    return c;
}

std::optional<Error> census_error(const MimeCensus& c, const Limits& limits) {
    if (c.containers > limits.max_mime_parts || c.delimiters > 2 * limits.max_mime_parts + 2)
        return make_error(ErrorKind::too_large, "more than max_mime_parts (" +
                                                    std::to_string(limits.max_mime_parts) +
                                                    ") MIME parts");
    if (c.header_lines > limits.max_header_lines)
        return make_error(ErrorKind::too_large, "more than max_header_lines (" +
                                                    std::to_string(limits.max_header_lines) +
                                                    ") header lines");
    return std::nullopt;
}

std::string lower(const char* s) {
    return to_lower(s ? s : "");
}

std::string media_type(GMimeObject* obj) {
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    if (!ct) return "text/plain";
    return lower(g_mime_content_type_get_media_type(ct)) + "/" +
           lower(g_mime_content_type_get_media_subtype(ct));
}

// RFC 8460 §5.3 names the two report types; the rest are what senders are seen to use.
enum class PartClass { report, maybe_report, other };

PartClass classify(const std::string& type, bool top_level) {
    if (type == "application/tlsrpt+gzip" || type == "application/tlsrpt+json")
        return PartClass::report;
    static constexpr const char* loose[] = {"application/tlsrpt",          "application/gzip",
                                            "application/x-gzip",          "application/json",
                                            "application/octet-stream",    "application/zip",
                                            "application/x-zip-compressed"};
    for (const char* t : loose)
        if (type == t) return PartClass::maybe_report;
    if (top_level && type == "text/plain") return PartClass::maybe_report;
    return PartClass::other;
}

// The part's bytes with its Content-Transfer-Encoding undone, decoded straight from the
// parser's substream (no intermediate GMime stream or filter objects).
std::string decoded_content(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    GMimeStream* in = content ? g_mime_data_wrapper_get_stream(content) : nullptr;
    if (!in) return {};
    const GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(content);
    const bool transform = enc == GMIME_CONTENT_ENCODING_BASE64 ||
                           enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
                           enc == GMIME_CONTENT_ENCODING_UUENCODE;
    GMimeEncoding state;
    g_mime_encoding_init_decode(&state, enc);
    g_mime_stream_reset(in);
    std::string out;
    char buf[8192];
    for (;;) {
        const ssize_t n = g_mime_stream_read(in, buf, sizeof buf);
        if (n <= 0) break;
        if (!transform) {
            out.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        const std::size_t at = out.size();
        out.resize(at + g_mime_encoding_outlen(&state, static_cast<std::size_t>(n)));
        out.resize(at + g_mime_encoding_step(&state, buf, static_cast<std::size_t>(n), &out[at]));
    }
    if (transform) {
        const std::size_t at = out.size();
        out.resize(at + g_mime_encoding_outlen(&state, 0) + 4);
        out.resize(at + g_mime_encoding_flush(&state, nullptr, 0, &out[at]));
    }
    return out;
}

class Walker {
  public:
    Walker(const Limits& limits, Extraction& out) : limits_(limits), out_(out) {}

    std::optional<Error> visit(GMimeObject* obj, std::size_t depth, bool top_level);
    std::string seen_types() const { return seen_types_; }

  private:
    std::optional<Error> leaf(GMimePart* part, bool top_level);

    const Limits& limits_;
    Extraction& out_;
    std::string seen_types_;
};

std::optional<Error> Walker::visit(GMimeObject* obj, std::size_t depth, bool top_level) {
    if (!obj) return std::nullopt;
    if (depth > limits_.max_mime_depth)
        return make_error(ErrorKind::too_large, "MIME nesting deeper than max_mime_depth (" +
                                                    std::to_string(limits_.max_mime_depth) + ")");
    if (++out_.parts_seen > limits_.max_mime_parts)
        return make_error(ErrorKind::too_large, "more than max_mime_parts (" +
                                                    std::to_string(limits_.max_mime_parts) +
                                                    ") MIME parts");
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart* mp = GMIME_MULTIPART(obj);
        const int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; ++i)
            if (auto err = visit(g_mime_multipart_get_part(mp, i), depth + 1, false)) return err;
        return std::nullopt;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (!inner) return std::nullopt;
        return visit(g_mime_message_get_mime_part(inner), depth + 1, false);
    }
    if (GMIME_IS_PART(obj)) return leaf(GMIME_PART(obj), top_level);
    return std::nullopt;
}

std::optional<Error> Walker::leaf(GMimePart* part, bool top_level) {
    const std::string type = media_type(GMIME_OBJECT(part));
    if (seen_types_.size() < 200) seen_types_ += (seen_types_.empty() ? "" : ", ") + type;
    const PartClass cls = classify(type, top_level);
    if (cls == PartClass::other) return std::nullopt;
    const char* filename = g_mime_part_get_filename(part);
    Payload p{decoded_content(part), filename ? filename : "", type};
    if (cls == PartClass::maybe_report) {
        const bool named =
            ends_with(p.name, ".json") || ends_with(p.name, ".gz") || ends_with(p.name, ".zip");
        const bool text_body = type == "text/plain";
        const PayloadFormat fmt = sniff_format(p.bytes);
        if (fmt == PayloadFormat::unknown && (text_body || !named)) return std::nullopt;
    }
    if (out_.payloads.size() >= limits_.max_reports)
        return make_error(ErrorKind::too_large, "more than max_reports (" +
                                                    std::to_string(limits_.max_reports) +
                                                    ") report parts");
    out_.payloads.push_back(std::move(p));
    return std::nullopt;
}

bool is_mime_header(std::string_view name) {
    return (name.size() > 8 && iequals(name.substr(0, 8), "Content-")) ||
           iequals(name, "MIME-Version");
}

// The top-level header section reduced to what GMime needs to see the MIME structure
// (Content-*, MIME-Version), followed by the body. Every other header is captured here, so
// GMime does not build an object for each Received or DKIM-Signature line.
std::string mime_view(const HeaderSplit& split, MessageHeaders& captured) {
    std::string out;
    out.reserve(split.body.size() + 512);
    for_each_header_field(split.headers, [&](std::string_view name, std::string_view raw) {
        if (is_mime_header(name)) {
            out.append(name).append(":").append(raw);
            if (out.back() != '\n') out += "\r\n";
        } else {
            capture_header(captured, name, raw);
        }
    });
    out += "\r\n";
    out.append(split.body);
    return out;
}

} // namespace

Result<Extraction> extract_message(std::string_view message, const Limits& limits) {
    if (message.size() > limits.max_message_size)
        return make_error(ErrorKind::too_large, "message of " + std::to_string(message.size()) +
                                                    " bytes exceeds max_message_size " +
                                                    std::to_string(limits.max_message_size));
    if (auto err = census_error(census(message), limits)) return *err;
    init_gmime();
    Extraction out;
    const std::string mime = mime_view(split_header_section(message), out.headers);
    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(mime.data(), mime.size()));
    thread_local GPtr<GMimeParser> parser(g_mime_parser_new()); // reused: keeps its buffers
    g_mime_parser_init_with_stream(parser.get(), stream.get());
    // only the MIME entity is needed: the header fields were captured above (RFC 2045 §3)
    GPtr<GMimeObject> top(g_mime_parser_construct_part(parser.get(), nullptr));
    thread_local GPtr<GMimeStream> empty(g_mime_stream_mem_new());
    g_mime_parser_init_with_stream(parser.get(), empty.get()); // drop the message's stream
    if (!top) return make_error(ErrorKind::malformed, "not an RFC 5322 message");
    Walker walker(limits, out);
    if (auto err = walker.visit(top.get(), 0, true)) return *err;
    if (out.payloads.empty())
        return make_error(ErrorKind::not_a_report,
                          "no report part (RFC 8460 §5.3 application/tlsrpt+gzip or +json) among " +
                              std::to_string(out.parts_seen) +
                              " MIME part(s): " + walker.seen_types());
    return out;
}

} // namespace tlsrpt
