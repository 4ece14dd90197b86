/* The gofer's request loop, separate from the sandboxing around it so the
 * unit tests can serve a plain directory. */
#ifndef GOFER_SERVER_H
#define GOFER_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define GOFER_SERVE_READONLY 0x1u  /* refuse every write (EROFS) */
/* The gofer lacks CAP_SYS_ADMIN, which the host wants for trusted.*
 * xattrs: answer EOPNOTSUPP for them, as a file system without them. */
#define GOFER_SERVE_NO_TRUSTED_XATTR 0x2u

/* One tree the gofer serves: ATTACH(i) answers with the root of mounts[i]
 * (0 is the rootfs, then the config.json bind mounts in order). */
struct gofer_mount {
	int fd;          /* O_PATH root: a directory, or a regular file (file bind) */
	/* A file bind only: its parent directory (O_PATH) and name there, for
	 * reopening the file (an O_PATH fd cannot be reopened without /proc).
	 * Never reachable by the sentry: the mount's root is the file. */
	int parent_fd;
	const char *name;
	bool readonly;   /* every write through this mount gets EROFS */
};

/* Serves gofer requests arriving on sock_fd (SOCK_SEQPACKET) for the tree
 * under root_fd (a directory fd, O_PATH or not; it is duplicated, not
 * taken) until the peer closes: returns 0 then, or -errno if the socket
 * fails. Malformed requests get an error reply, never a crash. Does no
 * sandboxing of its own: gofer_main() confines the process first. */
int gofer_serve(int sock_fd, int root_fd, unsigned int flags);

/* The same for several trees (their fds are duplicated, not taken);
 * GOFER_SERVE_READONLY is per mount there, in mounts[i].readonly. */
int gofer_serve_mounts(int sock_fd, const struct gofer_mount *mounts, size_t nmounts,
		       unsigned int flags);

#endif
