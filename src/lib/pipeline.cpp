// pipeline.cpp: composes the stages (container.cpp, decompress.cpp, report_parse.cpp). Holds
// no rules of its own beyond routing each payload by its sniffed format.
#include "tlsrpt/pipeline.hpp"

#include "tlsrpt/container.hpp"
#include "tlsrpt/decompress.hpp"
#include "tlsrpt/report_parse.hpp"

namespace tlsrpt {

const char* to_string(InputKind kind) {
    switch (kind) {
    case InputKind::message:
        return "message";
    case InputKind::json:
        return "json";
    case InputKind::gzip:
        return "gzip";
    case InputKind::zip:
        return "zip";
    }
    return "?";
}

const char* to_string(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::not_a_report:
        return "not-a-report";
    case ErrorKind::malformed:
        return "malformed";
    case ErrorKind::invalid:
        return "invalid";
    case ErrorKind::too_large:
        return "too-large";
    }
    return "?";
}

std::string Error::describe() const {
    return std::string(to_string(kind)) + ": " + message;
}

InputKind detect_input(std::string_view bytes) {
    switch (sniff_format(bytes)) {
    case PayloadFormat::gzip:
        return InputKind::gzip;
    case PayloadFormat::zip:
        return InputKind::zip;
    case PayloadFormat::json:
        return InputKind::json;
    case PayloadFormat::unknown:
        break;
    }
    return InputKind::message;
}

namespace {

struct Context {
    const Limits& limits;
    const MessageHeaders* headers;
    std::vector<Report>& out;
    Budget budget; // the message's, spent by every part, layer and report
};

Error over_budget(const Limits& limits) {
    return make_error(ErrorKind::too_large, "decompressed reports exceed max_decompressed_size (" +
                                                std::to_string(limits.max_decompressed_size) +
                                                " bytes per message)");
}

std::string where(const std::string& name) {
    return name.empty() ? "" : "part " + name + ": ";
}

Error in_part(const std::string& name, Error e) {
    e.message = where(name) + e.message;
    return e;
}

// Routes one payload by format; gzip and zip may wrap each other once (a zipped .json.gz).
// Every JSON document parsed spends its size from the message's budget, and so does every
// decompression, which may only produce what is left of it.
std::optional<Error> decode(Context& ctx, std::string bytes, const std::string& name, int layers) {
    const PayloadFormat fmt = sniff_format(bytes);
    if (fmt == PayloadFormat::json) {
        if (ctx.out.size() >= ctx.limits.max_reports)
            return make_error(ErrorKind::too_large, "more than max_reports reports");
        if (layers == 0 && !spend(ctx.budget.decompressed, bytes.size()))
            return in_part(name, over_budget(ctx.limits));
        auto report = parse_report_json(std::move(bytes), ctx.limits, ctx.headers, &ctx.budget);
        if (!report) return in_part(name, report.error());
        report->part_name = name;
        ctx.out.push_back(std::move(*report));
        return std::nullopt;
    }
    if (fmt == PayloadFormat::unknown || layers >= 3)
        return make_error(ErrorKind::not_a_report,
                          where(name) + "content is neither JSON, gzip nor zip");
    if (fmt == PayloadFormat::gzip) {
        auto json = gunzip(bytes, ctx.budget.decompressed);
        if (!json) return in_part(name, json.error());
        ctx.budget.decompressed -= json->size();
        return decode(ctx, std::move(*json), name, layers + 1);
    }
    auto entries = unzip(bytes, ctx.budget.decompressed, ctx.limits.max_reports);
    if (!entries) return in_part(name, entries.error());
    for (const ArchiveEntry& e : *entries)
        ctx.budget.decompressed -= std::min(ctx.budget.decompressed, e.data.size());
    for (ArchiveEntry& e : *entries)
        if (auto err = decode(ctx, std::move(e.data), e.name, layers + 1)) return err;
    return std::nullopt;
}

} // namespace

Result<std::vector<Report>> read_reports(std::string_view bytes, const Limits& limits) {
    std::vector<Report> reports;
    if (bytes.size() > limits.max_message_size)
        return make_error(ErrorKind::too_large, "input of " + std::to_string(bytes.size()) +
                                                    " bytes exceeds max_message_size " +
                                                    std::to_string(limits.max_message_size));
    if (detect_input(bytes) != InputKind::message) {
        Context ctx{limits, nullptr, reports, Budget(limits)};
        if (auto err = decode(ctx, std::string(bytes), "", 0)) return *err;
        return reports;
    }
    auto extraction = extract_message(bytes, limits);
    if (!extraction) return extraction.error();
    Context ctx{limits, &extraction->headers, reports, Budget(limits)};
    for (Payload& p : extraction->payloads)
        if (auto err = decode(ctx, std::move(p.bytes), p.name.empty() ? p.content_type : p.name, 0))
            return *err;
    return reports;
}

} // namespace tlsrpt
