// decompress.hpp: the decompression stage. gzip (RFC 1952, RFC 8460 §6.5) with zlib, zip with
// libarchive; both stop at a hard cap on output so a decompression bomb ends early.
#pragma once

#include "tlsrpt/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt {

enum class PayloadFormat { json, gzip, zip, unknown };

// Sniffs the format from magic bytes: 1f 8b gzip, "PK\3\4" zip, a leading '{' (after
// whitespace or a UTF-8 BOM) JSON.
PayloadFormat sniff_format(std::string_view bytes);

// Inflates every concatenated gzip member; refuses truncated input and output over max_out.
Result<std::string> gunzip(std::string_view bytes, std::size_t max_out);

struct ArchiveEntry {
    std::string name;
    std::string data;
};

// Extracts the regular files of a zip archive that look like reports (.json, .json.gz, .gz,
// or sniffed content), at most max_entries, each and all together at most max_out bytes.
Result<std::vector<ArchiveEntry>> unzip(std::string_view bytes, std::size_t max_out,
                                        std::size_t max_entries);

} // namespace tlsrpt
