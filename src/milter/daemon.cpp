// daemon.cpp: detaching, the locked pid file, the unix socket's life, privilege drop (see
// daemon.hpp).
#include "daemon.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdexcept>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace milter::daemon {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

} // namespace

Identity lookup_user(const std::string& name) {
    errno = 0;
    const passwd* pw = getpwnam(name.c_str());
    if (!pw) throw std::runtime_error("unknown user '" + name + "'");
    return {pw->pw_name, pw->pw_uid, pw->pw_gid};
}

void detach() {
    pid_t pid = fork();
    if (pid < 0) fail("fork");
    if (pid > 0) _exit(0);
    if (setsid() < 0) fail("setsid");
    pid = fork();
    if (pid < 0) fail("fork");
    if (pid > 0) _exit(0);
    if (chdir("/") != 0) fail("chdir /");
    const int null = open("/dev/null", O_RDWR);
    if (null < 0) fail("open /dev/null");
    for (int fd = 0; fd <= 2; ++fd)
        dup2(null, fd);
    if (null > 2) close(null);
}

PidFile::PidFile(const std::string& path) : path_(path) {
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd_ < 0) fail("cannot open pid file " + path);
    struct stat st {};
    if (fstat(fd_, &st) != 0) fail("cannot stat pid file " + path);
    if (!S_ISREG(st.st_mode)) throw std::runtime_error("pid file " + path + " is not a file");
    dev_ = st.st_dev;
    ino_ = st.st_ino;
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) fail("cannot lock pid file " + path);
        char buf[32] = {};
        const ssize_t n = pread(fd_, buf, sizeof buf - 1, 0);
        const std::string pid = n > 0 ? std::string(buf, buf + std::strcspn(buf, "\n")) : "?";
        throw std::runtime_error("another tlsrpt-milter (pid " + pid + ") holds " + path +
                                 "; not starting");
    }
}

void PidFile::write_pid() const {
    const std::string text = std::to_string(getpid()) + "\n";
    if (ftruncate(fd_, 0) != 0 ||
        pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        fail("cannot write pid file " + path_);
}

void PidFile::remove() const {
    struct stat st {};
    if (lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_)
        unlink(path_.c_str());
}

namespace {

std::string unix_path(const std::string& socket_spec) {
    for (const char* prefix : {"unix:", "local:"})
        if (socket_spec.rfind(prefix, 0) == 0) return socket_spec.substr(std::strlen(prefix));
    return "";
}

} // namespace

void refuse_live_socket(const std::string& socket_spec) {
    const std::string path = unix_path(socket_spec);
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof addr.sun_path) return;
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    const bool live = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (live)
        throw std::runtime_error("another milter is listening on " + path +
                                 "; not starting (stop it first, or use another Socket)");
}

OwnSocket own_socket(const std::string& socket_spec) {
    OwnSocket s{unix_path(socket_spec)};
    struct stat st {};
    if (!s.path.empty() && lstat(s.path.c_str(), &st) == 0) {
        s.dev = st.st_dev;
        s.ino = st.st_ino;
    } else {
        s.path.clear();
    }
    return s;
}

void remove_socket(const OwnSocket& s) {
    struct stat st {};
    if (!s.path.empty() && lstat(s.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) &&
        st.st_dev == s.dev && st.st_ino == s.ino)
        unlink(s.path.c_str());
}

void chown_socket(const std::string& socket_spec, const Identity& who) {
    for (const char* prefix : {"unix:", "local:"}) {
        if (socket_spec.rfind(prefix, 0) != 0) continue;
        const std::string path = socket_spec.substr(std::strlen(prefix));
        if (chown(path.c_str(), who.uid, who.gid) != 0) fail("chown " + path);
    }
}

void drop_privileges(const Identity& who) {
    if (setgid(who.gid) != 0) fail("setgid");
    if (initgroups(who.name.c_str(), who.gid) != 0) fail("initgroups");
    if (setuid(who.uid) != 0) fail("setuid");
    if (who.uid != 0 && setuid(0) == 0) throw std::runtime_error("could regain root after setuid");
}

} // namespace milter::daemon
