// sources.hpp: where inputs come from for tlsrptctl: files, standard input, directories
// (Maildir folders included) and mbox files, each split into the items the pipeline reads.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace tlsrpt {

// One item to read: a name for messages ("file", "mbox#3", "dir/cur/123") and its bytes, or
// the reason it could not be read.
struct SourceItem {
    std::string name;
    std::string bytes;
    std::string read_error; // non-empty: the item could not be read
};

using ItemSink = std::function<void(SourceItem&&)>;

// Visits every item under `path` in a stable order: "-" is standard input; a directory is
// walked (dot-files and Maildir tmp/ skipped); an mbox file ("From " first line) yields one
// item per message, with ">From " unquoted. Items larger than max_item_size are reported as
// read errors without being held in memory.
void for_each_item(const std::string& path, std::size_t max_item_size, const ItemSink& sink);

// Splits mbox text (mboxrd/mboxo) into messages; exposed for the tests.
void split_mbox(std::string_view mbox, const std::string& name, const ItemSink& sink);

} // namespace tlsrpt
