// daemon.hpp: the process-level chores of a Unix daemon, each a small function: detaching,
// the pid file (locked, so one instance runs per pid file), refusing a unix socket another
// milter is listening on, removing what this process created when it exits, changing identity
// after the socket is open.
#pragma once

#include <string>
#include <sys/types.h>

namespace service::daemon {

struct Identity {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

// Looks up a user; throws std::runtime_error when unknown.
Identity lookup_user(const std::string& name);

// fork, setsid, fork again, chdir /, standard streams to /dev/null. Throws on failure.
void detach();

// The pid file, held for the life of the process: opened without following a symbolic link
// (O_NOFOLLOW), a regular file of this user with one link only, mode 0600 (whoever can open a
// file can lock it), and locked (an open file description lock, which survives detach()). Throws
// std::runtime_error naming the running instance when another process holds the lock; a stale
// file nobody locks is taken over.
class PidFile {
  public:
    explicit PidFile(const std::string& path);
    ~PidFile() = default; // the descriptor stays open until exit: it is the lock
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;
    // Writes the current pid (after detach(), the pid changed). Throws on failure.
    void write_pid() const;
    // Removes the file when the path still names the file this process locked.
    void remove() const;

  private:
    std::string path_;
    int fd_ = -1;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
};

// For a unix:/local: socket: throws std::runtime_error when something accepts connections on
// that path (another milter: opening ours would unlink its socket). Other kinds: nothing.
void refuse_live_socket(const std::string& socket_spec);

// The unix socket this process created, to remove it at exit only if it is still ours.
struct OwnSocket {
    std::string path; // "" for inet sockets
    dev_t dev = 0;
    ino_t ino = 0;
};
OwnSocket own_socket(const std::string& socket_spec);
void remove_socket(const OwnSocket& s);

// Gives our unix socket to the user the milter will run as (so it can remove it later); not
// through a symbolic link, and only while the path still names the socket we created; nothing
// when it is theirs already.
void chown_socket(const OwnSocket& s, const Identity& who);

// setgid + initgroups + setuid, then checks root cannot be regained; nothing when the process
// already runs as that user and group. Throws on failure.
void drop_privileges(const Identity& who);

} // namespace service::daemon
