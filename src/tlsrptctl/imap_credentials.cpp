// imap_credentials.cpp: see imap_credentials.hpp.
#include "imap_credentials.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tlsrptctl::imap {

namespace {

constexpr std::size_t kMaxSecretFile = 64 * 1024; // a password file, or a .netrc

// An open secret file must be a regular file that only its owner can read or write.
std::string check_secret_mode(const std::string& path, int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return path + ": " + std::strerror(errno);
    if (!S_ISREG(st.st_mode)) return path + ": not a regular file";
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return path + ": mode " + mode +
               " lets other users read or change it; chmod 600 it (0600 or stricter)";
    }
    if (st.st_size > static_cast<off_t>(kMaxSecretFile)) return path + ": larger than 64 KiB";
    return {};
}

// Opens without following a symbolic link at the last component.
int open_secret(const std::string& path, std::string& error) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0) error = path + ": " + std::strerror(errno);
    return fd;
}

} // namespace

CredentialsResult read_password_file(const std::string& path) {
    CredentialsResult out;
    const int fd = open_secret(path, out.error);
    if (fd < 0) return out;
    out.error = check_secret_mode(path, fd);
    std::string text;
    if (out.error.empty()) {
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0 && text.size() <= kMaxSecretFile)
            text.append(buf, static_cast<std::size_t>(n));
        if (n < 0) out.error = path + ": " + std::strerror(errno);
    }
    close(fd);
    if (!out.error.empty()) return out;
    text = text.substr(0, text.find('\n'));
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty()) {
        out.error = path + ": the first line (the password) is empty";
        return out;
    }
    out.credentials = Credentials{text, "", "--password-file " + path};
    return out;
}

CredentialsResult find_credentials(const std::string& password_file) {
    if (!password_file.empty()) return read_password_file(password_file);
    CredentialsResult out;
    if (char* env = std::getenv("TLSRPT_IMAP_PASSWORD"); env && *env) {
        out.credentials = Credentials{std::string(env), "", "TLSRPT_IMAP_PASSWORD"};
        // unsetenv only drops the pointer: the bytes stay in the process's environment block,
        // readable in /proc/PID/environ; overwrite them first
        std::memset(env, 'x', std::strlen(env));
        unsetenv("TLSRPT_IMAP_PASSWORD");
        return out;
    }
    std::string netrc;
    if (const char* n = std::getenv("NETRC"); n && *n)
        netrc = n;
    else if (const char* home = std::getenv("HOME"); home && *home)
        netrc = std::string(home) + "/.netrc";
    if (netrc.empty() || access(netrc.c_str(), F_OK) != 0) {
        out.error = "no password: give --password-file FILE (mode 0600), set "
                    "TLSRPT_IMAP_PASSWORD, or add the host to ~/.netrc";
        return out;
    }
    const int fd = open_secret(netrc, out.error);
    if (fd < 0) return out;
    out.error = check_secret_mode(netrc, fd);
    close(fd);
    if (out.error.empty()) out.credentials = Credentials{std::nullopt, netrc, netrc};
    return out;
}

} // namespace tlsrptctl::imap
