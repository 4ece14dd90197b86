/* Extended attributes: the VFS entry points with Linux's checks
 * (xattr_permission), and simple_xattrs, an in-memory store filesystems
 * such as tmpfs keep per inode (Linux's simple_xattr). */
#ifndef SENTRY_VFS_XATTR_H
#define SENTRY_VFS_XATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct path;
struct task;

#define XATTR_NAME_MAX_LEN 255
#define XATTR_SIZE_MAX_LEN 65536
#define XATTR_LIST_MAX_LEN 65536

/* getxattr/lgetxattr/fgetxattr... on p. Sizes and errors as the syscalls:
 * size 0 asks for the size; ERANGE, ENODATA, EOPNOTSUPP, EPERM, EACCES. */
ssize_t vfs_getxattr(struct task *t, const struct path *p, const char *name, void *buf,
		     size_t size);
int vfs_setxattr(struct task *t, const struct path *p, const char *name, const void *value,
		 size_t size, int flags);
ssize_t vfs_listxattr(struct task *t, const struct path *p, char *buf, size_t size);
int vfs_removexattr(struct task *t, const struct path *p, const char *name);

struct simple_xattr {
	struct simple_xattr *next;
	char *name;
	void *value;
	size_t size;
};

struct simple_xattrs {
	struct simple_xattr *head;
};

ssize_t simple_xattr_get(struct simple_xattrs *x, const char *name, void *buf, size_t size);
/* value NULL removes (flags XATTR_REPLACE then, -ENODATA if absent). */
int simple_xattr_set(struct simple_xattrs *x, const char *name, const void *value, size_t size,
		     int flags);
ssize_t simple_xattr_list(struct simple_xattrs *x, char *buf, size_t size,
			  bool (*filter)(const char *name, void *arg), void *arg);
void simple_xattrs_free(struct simple_xattrs *x);
/* Copies every attribute of src into dst (which must be empty). */
void simple_xattrs_copy(struct simple_xattrs *dst, const struct simple_xattrs *src);

#endif
