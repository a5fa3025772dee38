// daemon.cpp: detaching, the locked pid file, the unix socket's life, privilege drop (see
// daemon.hpp).
#include "daemon.hpp"

#include "log.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace service::daemon {

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

namespace {

// An open file description lock (F_OFD_SETLK) of the whole file: it belongs to the open file
// description, so it survives detach()'s forks. false when another process holds it.
bool lock_whole_file(int fd) {
    struct flock l {};
    l.l_type = F_WRLCK;
    l.l_whence = SEEK_SET;
    if (fcntl(fd, F_OFD_SETLK, &l) == 0) return true;
    if (errno == EAGAIN || errno == EACCES) return false;
    fail("cannot lock pid file");
}

std::string pid_in(int fd) {
    char buf[32] = {};
    const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    return n > 0 ? std::string(buf, buf + std::strcspn(buf, "\n")) : "?";
}

} // namespace

PidFile::PidFile(const std::string& path) : path_(path) {
    // O_NOFOLLOW: not through a symbolic link; then ours alone: a regular file of this user
    // with one name (not a file someone else placed or hard-linked there). Mode 0600: whoever
    // can open it can lock it (even a read lock blocks ours), so nobody else may open it.
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd_ < 0) fail("cannot open pid file " + path);
    struct stat st {};
    if (fstat(fd_, &st) != 0) fail("cannot stat pid file " + path);
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != geteuid())
        throw std::runtime_error("pid file " + path +
                                 " is not a file of this user with one name; not starting");
    if ((st.st_mode & 077) != 0 && fchmod(fd_, 0600) != 0) fail("cannot chmod pid file " + path);
    dev_ = st.st_dev;
    ino_ = st.st_ino;
    if (!lock_whole_file(fd_))
        throw std::runtime_error("another " + log::program() + " (pid " + pid_in(fd_) + ") holds " +
                                 path + "; not starting");
    // the holder we waited on may have removed the file meanwhile: the lock must be on the
    // file the path names now
    struct stat now {};
    if (stat(path.c_str(), &now) != 0 || now.st_dev != dev_ || now.st_ino != ino_)
        throw std::runtime_error("pid file " + path + " was replaced while starting; try again");
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
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) fail("socket");
    const int rc = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int err = errno;
    close(fd);
    // only nothing there, or nobody accepting, is a socket we may replace; a full backlog
    // (EAGAIN) is a busy milter, and anything else we cannot tell
    if (rc != 0 && (err == ENOENT || err == ECONNREFUSED)) return;
    throw std::runtime_error(rc == 0 || err == EAGAIN
                                 ? "another milter is listening on " + path +
                                       "; not starting (stop it first, or use another Socket)"
                                 : "cannot tell whether a milter listens on " + path + " (" +
                                       std::strerror(err) + "); not starting");
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

void chown_socket(const OwnSocket& s, const Identity& who) {
    // never through a symbolic link, and only the socket this process created
    struct stat st {};
    if (s.path.empty()) return;
    if (lstat(s.path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_dev != s.dev ||
        st.st_ino != s.ino)
        throw std::runtime_error("socket " + s.path + " was replaced after it was opened");
    // already theirs (the process runs as that user): no chown, which a unit's
    // SystemCallFilter=~@privileged would refuse
    if (st.st_uid == who.uid && st.st_gid == who.gid) return;
    if (fchownat(AT_FDCWD, s.path.c_str(), who.uid, who.gid, AT_SYMLINK_NOFOLLOW) != 0)
        fail("chown " + s.path);
}

void drop_privileges(const Identity& who) {
    // already that user (systemd's User= with the same UserID): nothing to drop, and without
    // CAP_SETGID initgroups would fail
    if (who.uid != 0 && getuid() == who.uid && geteuid() == who.uid && getgid() == who.gid &&
        getegid() == who.gid)
        return;
    if (setgid(who.gid) != 0) fail("setgid");
    if (initgroups(who.name.c_str(), who.gid) != 0) fail("initgroups");
    if (setuid(who.uid) != 0) fail("setuid");
    if (who.uid != 0 && setuid(0) == 0) throw std::runtime_error("could regain root after setuid");
}

} // namespace service::daemon
