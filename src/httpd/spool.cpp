// spool.cpp: the durable spool (see spool.hpp): write, fsync, rename, fsync the directory.
#include "spool.hpp"

#include "service/log.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace httpd {

namespace {

const char kMagic[] = "TLSRPT-SPOOL 1\n";

// One header value on one line: control characters become spaces, bounded length.
std::string one_line(const std::string& v) {
    std::string out = v.substr(0, 1000);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return out;
}

void make_dir(const std::string& path) {
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
}

bool fsync_dir(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = readdir(d))
        if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    closedir(d);
    return out;
}

bool write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace

std::string encode_entry(const SpoolEntry& e) {
    std::string out = kMagic;
    out += "received-at: " + std::to_string(e.received_at) + "\n";
    out += "client: " + one_line(e.client) + "\n";
    out += "user-agent: " + one_line(e.user_agent) + "\n";
    out += "content-type: " + one_line(e.content_type) + "\n";
    out += "content-encoding: " + one_line(e.content_encoding) + "\n";
    out += "path: " + one_line(e.path) + "\n\n";
    return out + e.body;
}

std::optional<SpoolEntry> decode_entry(const std::string& bytes) {
    if (bytes.rfind(kMagic, 0) != 0) return std::nullopt;
    const auto end = bytes.find("\n\n", sizeof kMagic - 2);
    if (end == std::string::npos) return std::nullopt;
    SpoolEntry e;
    std::istringstream in(bytes.substr(sizeof kMagic - 1, end - (sizeof kMagic - 1)));
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(": ");
        if (colon == std::string::npos) return std::nullopt;
        const std::string k = line.substr(0, colon), v = line.substr(colon + 2);
        if (k == "received-at")
            e.received_at = std::atoll(v.c_str());
        else if (k == "client")
            e.client = v;
        else if (k == "user-agent")
            e.user_agent = v;
        else if (k == "content-type")
            e.content_type = v;
        else if (k == "content-encoding")
            e.content_encoding = v;
        else if (k == "path")
            e.path = v;
    }
    e.body = bytes.substr(end + 2);
    return e;
}

Spool::Spool(std::string directory, std::size_t max_bytes, std::size_t max_files)
    : dir_(std::move(directory)), max_bytes_(max_bytes), max_files_(max_files) {
    make_dir(dir_);
    make_dir(dir_ + "/tmp");
    make_dir(dir_ + "/new");
    make_dir(dir_ + "/bad");
    for (const std::string& n : names_in(dir_ + "/tmp")) // never acknowledged to a sender
        unlink((dir_ + "/tmp/" + n).c_str());
    for (const std::string& n : names_in(dir_ + "/new")) {
        struct stat st {};
        if (stat((dir_ + "/new/" + n).c_str(), &st) == 0) {
            bytes_ += static_cast<std::size_t>(st.st_size);
            ++files_;
        }
    }
}

bool Spool::put(const SpoolEntry& e, std::string& error) {
    const std::string data = encode_entry(e);
    {
        std::lock_guard lock(reserve_mutex_);
        if (bytes_ + data.size() > max_bytes_) {
            error = "spool full (SpoolMaxBytes " + std::to_string(max_bytes_) + ")";
            return false;
        }
        if (files_ >= max_files_) {
            error = "spool full (SpoolMaxFiles " + std::to_string(max_files_) + ")";
            return false;
        }
        bytes_ += data.size();
        ++files_;
    }
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const std::string name =
        std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count()) + "." +
        std::to_string(getpid()) + "." + std::to_string(seq_++);
    const std::string tmp = dir_ + "/tmp/" + name, final_path = dir_ + "/new/" + name;
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && write_all(fd, data) && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0) ok = false;
    if (!ok || rename(tmp.c_str(), final_path.c_str()) != 0) {
        error = std::string("cannot write the spool: ") + std::strerror(errno);
        unlink(tmp.c_str());
        forget(data.size());
        return false;
    }
    if (!fsync_dir(dir_ + "/new")) { // in new/ (counted, drained) but not known durable
        error = std::string("cannot fsync the spool directory: ") + std::strerror(errno);
        return false;
    }
    return true;
}

std::vector<std::string> Spool::list(std::size_t max) const {
    std::vector<std::string> names = names_in(dir_ + "/new");
    // names start with the microsecond time: numeric order is arrival order
    const auto older = [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    };
    const std::size_t keep = std::min(max, names.size());
    std::partial_sort(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(keep), names.end(),
                      older);
    names.resize(keep);
    return names;
}

std::optional<SpoolEntry> Spool::read(const std::string& name) {
    const std::string path = dir_ + "/new/" + name;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return std::nullopt;
    std::string data;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        data.append(buf, static_cast<std::size_t>(n));
    close(fd);
    auto e = decode_entry(data);
    if (!e) {
        service::log::error("spool file " + path + " cannot be decoded: moved to bad/");
        if (rename(path.c_str(), (dir_ + "/bad/" + name).c_str()) == 0) forget(data.size());
    }
    return e;
}

void Spool::remove(const std::string& name) {
    const std::string path = dir_ + "/new/" + name;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return;
    if (unlink(path.c_str()) == 0) forget(static_cast<std::size_t>(st.st_size));
}

void Spool::forget(std::size_t size) {
    std::lock_guard lock(reserve_mutex_); // never below zero, whatever happened to the files
    bytes_ -= std::min<std::size_t>(bytes_, size);
    if (files_ > 0) --files_;
}

} // namespace httpd
