// spool.hpp: the durable spool. A report the database cannot take now is written whole (the
// body exactly as received plus its metadata) to SpoolDirectory/tmp, fsync'ed, renamed into
// SpoolDirectory/new and the directory fsync'ed, before the sender gets its 201: from then on a
// crash cannot lose it. The drainer deletes a file only after the database committed it (or
// kept it in rejected_messages). The spool is capped at SpoolMaxBytes and SpoolMaxFiles; past
// either put() fails and the request is answered 503. Files that cannot be read back go to
// SpoolDirectory/bad.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace httpd {

struct SpoolEntry {
    std::int64_t received_at = 0; // Unix seconds
    std::string client;
    std::string user_agent;
    std::string content_type;
    std::string content_encoding;
    std::string path;
    std::string body;
};

// The file format: "TLSRPT-SPOOL 1\n", `key: value` lines, an empty line, the body.
std::string encode_entry(const SpoolEntry& e);
std::optional<SpoolEntry> decode_entry(const std::string& bytes);

class Spool {
  public:
    // Creates tmp/, new/ and bad/ (mode 0700) when missing, removes what a crash left in tmp/
    // (never acknowledged) and counts new/. Throws std::runtime_error when it cannot.
    Spool(std::string directory, std::size_t max_bytes, std::size_t max_files = 100000);

    // Writes one entry durably; false with `error` set when a cap is reached or the disk
    // refuses. Nothing is left behind then, except when only the directory's fsync failed
    // after the rename: the file stays (and is drained), though the sender was refused.
    bool put(const SpoolEntry& e, std::string& error);

    // Up to `max` names in new/, oldest first.
    std::vector<std::string> list(std::size_t max) const;
    // Reads one file; nullopt when it is gone or cannot be decoded (then moved to bad/).
    std::optional<SpoolEntry> read(const std::string& name);
    void remove(const std::string& name);

    std::size_t bytes() const { return bytes_; }
    std::size_t files() const { return files_; }
    const std::string& directory() const { return dir_; }

  private:
    std::string dir_;
    void forget(std::size_t size); // one file of `size` bytes left new/
    std::size_t max_bytes_;
    std::size_t max_files_;
    std::atomic<std::size_t> bytes_{0};
    std::atomic<std::size_t> files_{0};
    std::atomic<std::uint64_t> seq_{0};
    std::mutex reserve_mutex_;
};

} // namespace httpd
