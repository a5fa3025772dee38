// daemon.hpp: the process-level chores of a Unix daemon, each a small function: detaching,
// the pid file, changing identity after the socket is open.
#pragma once

#include <string>
#include <sys/types.h>

namespace milter::daemon {

struct Identity {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

// Looks up a user; throws std::runtime_error when unknown.
Identity lookup_user(const std::string& name);

// fork, setsid, fork again, chdir /, standard streams to /dev/null. Throws on failure.
void detach();

// Writes the pid file (throws on failure); remove_pid_file ignores errors.
void write_pid_file(const std::string& path);
void remove_pid_file(const std::string& path);

// Gives a unix: socket path to the user the milter will run as (so it can remove it later).
void chown_socket(const std::string& socket_spec, const Identity& who);

// setgid + initgroups + setuid, then checks root cannot be regained. Throws on failure.
void drop_privileges(const Identity& who);

} // namespace milter::daemon
