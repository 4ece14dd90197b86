/* Confinement of the gofer process, applied in this order by gofer_main(). */
#ifndef GOFER_SANDBOX_H
#define GOFER_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "gofer/server.h"

/* A config.json bind mount to serve (the `--mount FLAGS:SOURCE` argument). */
struct gofer_bind {
	const char *source;  /* host path */
	bool readonly;       /* "ro" */
	bool recursive;      /* "rbind": mounts below the source come along */
};

/* New mount namespace (and network, IPC and UTS ones when permitted), then
 * each bind source opened on the host into bind_mounts[i] (nbinds
 * entries), then the rootfs bind-mounted on itself nosuid,nodev (and
 * read-only if asked) and pivot_root into it: afterwards "/" is the rootfs
 * and nothing else of the host file system is reachable by path, only
 * through the bind mounts' fds. */
int gofer_enter_rootfs(const char *rootfs, bool readonly, const struct gofer_bind *binds,
		       size_t nbinds, struct gofer_mount *bind_mounts);
/* Opens one bind source: a directory becomes a detached clone of its host
 * mount (open_tree), nosuid, nodev, read-only if asked; a regular file is
 * kept with its host directory for reopening. */
int gofer_open_bind(const char *source, bool readonly, bool recursive, struct gofer_mount *m);
void gofer_close_binds(struct gofer_mount *m, size_t n);

/* no_new_privs, not dumpable, and every capability dropped (bounding,
 * ambient, inheritable too) except the few that file serving needs. */
int gofer_drop_privileges(void);

/* The seccomp allowlist of the serve loop: messages only on sock_fd, writes
 * only to write_fds (the log sinks). Anything else kills the process. */
int gofer_seccomp_install(int sock_fd, const int *write_fds, int nwrite_fds);

#endif
