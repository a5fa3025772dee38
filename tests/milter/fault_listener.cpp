/* fault_listener.cpp: an LD_PRELOAD fault for tests/milter/daemon.sh. Once the file named by
 * TLSRPT_FAULT_FILE exists, a poll() or select() that waits on a listening socket reports that
 * socket as invalid, so libmilter's listener loop gives up and smfi_main() returns, as it does
 * when its socket breaks for real. Every other call goes to libc unchanged. */
#include <cstdlib>
#include <dlfcn.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int fault_on(void) {
    const char* f = getenv("TLSRPT_FAULT_FILE");
    return f && access(f, F_OK) == 0;
}

int listening(int fd) {
    int on = 0;
    socklen_t len = sizeof on;
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

} // namespace

extern "C" int poll(struct pollfd* fds, nfds_t nfds, int timeout) {
    static int (*real)(struct pollfd*, nfds_t, int);
    if (!real)
        real = reinterpret_cast<int (*)(struct pollfd*, nfds_t, int)>(dlsym(RTLD_NEXT, "poll"));
    if (nfds == 1 && (fds[0].events & POLLIN) && fault_on() && listening(fds[0].fd)) {
        fds[0].revents = POLLNVAL;
        return 1;
    }
    return real(fds, nfds, timeout);
}

extern "C" int select(int nfds, fd_set* r, fd_set* w, fd_set* e, struct timeval* t) {
    static int (*real)(int, fd_set*, fd_set*, fd_set*, struct timeval*);
    if (!real)
        real = reinterpret_cast<int (*)(int, fd_set*, fd_set*, fd_set*, struct timeval*)>(
            dlsym(RTLD_NEXT, "select"));
    if (r && fault_on())
        for (int fd = 0; fd < nfds; ++fd)
            if (FD_ISSET(fd, r) && listening(fd)) {
                FD_ZERO(r);
                if (w) FD_ZERO(w);
                if (e) FD_ZERO(e);
                return 1;
            }
    return real(nfds, r, w, e, t);
}
