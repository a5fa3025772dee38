// sources.cpp: enumerating inputs for tlsrptctl parse/import: files, stdin, directories,
// Maildir (new/ and cur/; tmp/ holds deliveries in progress) and mbox (RFC 4155).
#include "tlsrpt/sources.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

namespace tlsrpt {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_walk_depth = 8;

bool is_mbox(std::string_view bytes) {
    return bytes.substr(0, 5) == "From ";
}

SourceItem read_stream(std::istream& in, const std::string& name, std::size_t max_size) {
    SourceItem item{name, {}, {}};
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        item.bytes.append(buf, static_cast<std::size_t>(in.gcount()));
        if (item.bytes.size() > max_size) {
            item.bytes.clear();
            item.read_error = "too-large: larger than " + std::to_string(max_size) + " bytes";
            return item;
        }
    }
    if (in.bad()) item.read_error = "could not read";
    return item;
}

void emit(SourceItem&& item, const ItemSink& sink) {
    if (item.read_error.empty() && is_mbox(item.bytes)) {
        split_mbox(item.bytes, item.name, sink);
        return;
    }
    sink(std::move(item));
}

void walk(const fs::path& dir, std::size_t depth, std::size_t max_size, const ItemSink& sink) {
    std::vector<fs::directory_entry> entries;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        entries.push_back(e);
    if (ec) {
        sink({dir.string(), {}, "could not list directory: " + ec.message()});
        return;
    }
    std::sort(entries.begin(), entries.end());
    for (const auto& e : entries) {
        const std::string leaf = e.path().filename().string();
        if (leaf.empty() || leaf[0] == '.') continue;
        if (e.is_directory()) {
            if (leaf == "tmp" && fs::exists(dir / "cur")) continue; // Maildir in-progress
            if (depth < max_walk_depth) walk(e.path(), depth + 1, max_size, sink);
        } else if (e.is_regular_file()) {
            // mbox files may hold many messages: allow them more room than one message
            std::ifstream in(e.path(), std::ios::binary);
            emit(read_stream(in, e.path().string(), max_size * 64), sink);
        }
    }
}

} // namespace

void split_mbox(std::string_view mbox, const std::string& name, const ItemSink& sink) {
    std::size_t pos = 0, index = 0;
    while (pos < mbox.size()) {
        // skip the "From " separator line
        std::size_t body = mbox.find('\n', pos);
        body = body == std::string_view::npos ? mbox.size() : body + 1;
        const std::size_t next = mbox.find("\nFrom ", body);
        const std::size_t end = next == std::string_view::npos ? mbox.size() : next + 1;
        std::string message;
        message.reserve(end - body);
        std::size_t line = body;
        while (line < end) {
            std::size_t eol = mbox.find('\n', line);
            eol = eol == std::string_view::npos || eol >= end ? end : eol + 1;
            std::string_view text = mbox.substr(line, eol - line);
            // mboxrd: one '>' was added in front of every ">*From " line
            const std::size_t gt = text.find_first_not_of('>');
            if (gt != std::string_view::npos && gt > 0 && text.substr(gt, 5) == "From ")
                text.remove_prefix(1);
            message.append(text);
            line = eol;
        }
        sink({name + "#" + std::to_string(++index), std::move(message), {}});
        pos = end;
    }
}

void for_each_item(const std::string& path, std::size_t max_size, const ItemSink& sink) {
    if (path == "-") {
        emit(read_stream(std::cin, "-", max_size * 64), sink);
        return;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
        sink({path, {}, "no such file or directory"});
    } else if (fs::is_directory(st)) {
        walk(path, 0, max_size, sink);
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            sink({path, {}, "could not open"});
        else
            emit(read_stream(in, path, max_size * 64), sink);
    }
}

} // namespace tlsrpt
