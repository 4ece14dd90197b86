/* The sentry's side of the gofer protocol (gofer/protocol.h): synchronous
 * calls over the socket to the gofer. The sentry holds no host paths: it
 * names files by fids, which the gofer maps to O_PATH descriptors inside
 * the rootfs. Every call returns 0 or -errno (the gofer's errno, or -EIO if
 * the channel broke). */
#ifndef SENTRY_GOFER_CLIENT_H
#define SENTRY_GOFER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gofer/protocol.h"

struct gofer_client;

int gofer_client_new(int sock_fd, struct gofer_client **out);
void gofer_client_free(struct gofer_client *c);

/* The rootfs root directory: fid and attributes. */
int gofer_attach(struct gofer_client *c, uint32_t *fid, struct gofer_attr *attr);
/* One path component under directory fid (never "", ".", ".." or with
 * '/'). Does not follow a symlink: a symlink's own fid is returned. */
int gofer_walk(struct gofer_client *c, uint32_t dirfid, const char *name, uint32_t *newfid,
	       struct gofer_attr *attr);
int gofer_getattr(struct gofer_client *c, uint32_t fid, struct gofer_attr *attr);
/* Opens fid with O_RDONLY/O_WRONLY/O_RDWR (+O_TRUNC, O_APPEND, O_DIRECTORY)
 * and returns a host fd donated over SCM_RIGHTS. */
int gofer_open(struct gofer_client *c, uint32_t fid, int flags, int *host_fd);
int gofer_readlink(struct gofer_client *c, uint32_t fid, char *buf, size_t bufsz, size_t *len);
/* Reads directory entries starting at cookie `offset`. Calls emit for each
 * entry; stops when emit returns nonzero (that entry is not consumed).
 * *eof is set when the directory has no more entries. */
int gofer_readdir(struct gofer_client *c, uint32_t fid, uint64_t offset,
		  int (*emit)(void *arg, const struct gofer_dirent *de, const char *name),
		  void *arg, int *eof);
int gofer_clunk(struct gofer_client *c, uint32_t fid);

/* The root of mount `mount` the gofer serves: 0 is the rootfs (what
 * gofer_attach returns), 1.. the config.json bind mounts in order
 * (gofer/binds.h). A file bind's root is a regular file. */
int gofer_attach_mount(struct gofer_client *c, uint32_t mount, uint32_t *fid, struct gofer_attr *attr);

/* ---- write operations ----
 * Names are single components as for gofer_walk. The gofer creates files
 * with the owner (uid, gid) and exact permission bits given: the sentry has
 * applied the umask, set-group-ID inheritance and its permission checks.
 * Read-only mounts answer -EROFS. */

/* Creates and opens a regular file that must not exist yet; flags are
 * O_RDONLY/O_WRONLY/O_RDWR plus O_APPEND, O_NONBLOCK. Returns the new
 * file's fid, its attributes and a host fd donated over SCM_RIGHTS. */
int gofer_create(struct gofer_client *c, uint32_t dirfid, const char *name, int flags, uint32_t mode,
		 uint32_t uid, uint32_t gid, uint32_t *newfid, struct gofer_attr *attr, int *host_fd);
int gofer_mkdir(struct gofer_client *c, uint32_t dirfid, const char *name, uint32_t mode,
		uint32_t uid, uint32_t gid, struct gofer_attr *attr);
/* mode is S_IFIFO or S_IFSOCK with permission bits: no device nodes. */
int gofer_mknod(struct gofer_client *c, uint32_t dirfid, const char *name, uint32_t mode,
		uint32_t uid, uint32_t gid, struct gofer_attr *attr);
int gofer_symlink(struct gofer_client *c, uint32_t dirfid, const char *name, const char *target,
		  uint32_t uid, uint32_t gid, struct gofer_attr *attr);
/* A new name in dirfid for the (non-directory) file fid names. */
int gofer_link(struct gofer_client *c, uint32_t dirfid, const char *name, uint32_t fid,
	       struct gofer_attr *attr);
/* flags 0 or AT_REMOVEDIR, as unlinkat(2). */
int gofer_unlink(struct gofer_client *c, uint32_t dirfid, const char *name, int flags);
/* flags 0, RENAME_NOREPLACE or RENAME_EXCHANGE, as renameat2(2). Fids of
 * renamed files stay valid under their new names. */
int gofer_rename(struct gofer_client *c, uint32_t olddirfid, const char *oldname,
		 uint32_t newdirfid, const char *newname, unsigned int flags);

/* SETATTR fields; valid has GOFER_SETATTR_* bits, nsec may be UTIME_NOW. */
struct gofer_setattr {
	uint32_t valid;
	uint32_t mode, uid, gid;
	int64_t size;
	int64_t atime_sec, mtime_sec;
	uint32_t atime_nsec, mtime_nsec;
};
/* Applies the changes (owner first, then mode, size and times) and
 * returns the new attributes. */
int gofer_setattr(struct gofer_client *c, uint32_t fid, const struct gofer_setattr *sa,
		  struct gofer_attr *attr);
int gofer_fsync(struct gofer_client *c, uint32_t fid, bool datasync);
int gofer_statfs(struct gofer_client *c, uint32_t fid, struct gofer_statfs *st);

/* Extended attributes (user.* and trusted.* only), with getxattr(2)-like
 * results: size 0 asks for the length; ERANGE when buf is too small,
 * E2BIG past GOFER_XATTR_SIZE_MAX. */
ssize_t gofer_getxattr(struct gofer_client *c, uint32_t fid, const char *name, void *buf,
		       size_t size);
/* flags: XATTR_CREATE, XATTR_REPLACE. */
int gofer_setxattr(struct gofer_client *c, uint32_t fid, const char *name, const void *value,
		   size_t size, int flags);
ssize_t gofer_listxattr(struct gofer_client *c, uint32_t fid, char *buf, size_t size);
int gofer_removexattr(struct gofer_client *c, uint32_t fid, const char *name);

#endif
