/* Confinement of the gofer process, applied in this order by gofer_main(). */
#ifndef GOFER_SANDBOX_H
#define GOFER_SANDBOX_H

#include <stdbool.h>

/* New mount namespace (and network, IPC and UTS ones when permitted),
 * rootfs bind-mounted on itself nosuid,nodev (and read-only if asked), then
 * pivot_root into it: afterwards "/" is the rootfs and nothing of the host
 * file system is reachable by path. */
int gofer_enter_rootfs(const char *rootfs, bool readonly);

/* no_new_privs, not dumpable, and every capability dropped (bounding,
 * ambient, inheritable too) except the few that file serving needs. */
int gofer_drop_privileges(void);

/* The seccomp allowlist of the serve loop: messages only on sock_fd, writes
 * only to write_fds (the log sinks). Anything else kills the process. */
int gofer_seccomp_install(int sock_fd, const int *write_fds, int nwrite_fds);

#endif
