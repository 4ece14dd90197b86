/* The sentry's side of the gofer protocol (gofer/protocol.h): synchronous
 * calls over the socket to the gofer. The sentry holds no host paths: it
 * names files by fids, which the gofer maps to O_PATH descriptors inside
 * the rootfs. Every call returns 0 or -errno (the gofer's errno, or -EIO if
 * the channel broke). */
#ifndef SENTRY_GOFER_CLIENT_H
#define SENTRY_GOFER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

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

#endif
