// daemon.cpp: detaching, pid file, privilege drop (see daemon.hpp).
#include "daemon.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <stdexcept>
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

void write_pid_file(const std::string& path) {
    std::ofstream out(path, std::ios::trunc);
    if (!(out << getpid() << "\n")) fail("cannot write pid file " + path);
}

void remove_pid_file(const std::string& path) {
    if (!path.empty()) unlink(path.c_str());
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
