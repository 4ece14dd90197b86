/* Extended attributes, after Linux's fs/xattr.c: the namespace rules of
 * xattr_permission() in front of the filesystems' operations, and the
 * in-memory store tmpfs keeps them in. Supported namespaces: user.*,
 * trusted.* (CAP_SYS_ADMIN) and security.*; system.* (POSIX ACLs) and
 * unknown prefixes are EOPNOTSUPP, as on a filesystem without ACLs. */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "runsc/util.h"
#include "sentry/fsnotify.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"
#include "sentry/vfs/xattr.h"

#define PFX_USER "user."
#define PFX_TRUSTED "trusted."
#define PFX_SECURITY "security."
#define PFX_SYSTEM "system."

static bool has_prefix(const char *name, const char *pfx)
{
	return strncmp(name, pfx, strlen(pfx)) == 0;
}

/* xattr_resolve_name(): a known namespace and something after it. */
static int xattr_check_name(const char *name)
{
	static const char *const known[] = { PFX_USER, PFX_TRUSTED, PFX_SECURITY };

	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		if (has_prefix(name, known[i]))
			return name[strlen(known[i])] ? 0 : -EINVAL;
	}
	return -EOPNOTSUPP;
}

static bool owner_or_capable(const struct cred *c, const struct inode *ino)
{
	return !c || c->fsuid == ino->uid || cred_capable(c, CAP_FOWNER);
}

static int xattr_permission(const struct cred *c, struct inode *ino, const char *name, int mask)
{
	if (has_prefix(name, PFX_SECURITY) || has_prefix(name, PFX_SYSTEM))
		return 0;
	if (has_prefix(name, PFX_TRUSTED)) {
		if (c && !cred_capable(c, CAP_SYS_ADMIN))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		return 0;
	}
	if (has_prefix(name, PFX_USER)) {
		if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		if (S_ISDIR(ino->mode) && (ino->mode & S_ISVTX) && (mask & MAY_WRITE) &&
		    !owner_or_capable(c, ino))
			return -EPERM;
	}
	return vfs_permission_cred(c, ino, mask);
}

static const struct cred *task_cred(struct task *t)
{
	return t ? t->cred : NULL;
}

ssize_t vfs_getxattr(struct task *t, const struct path *p, const char *name, void *buf,
		     size_t size)
{
	struct inode *ino = p->dentry->inode;
	ssize_t rc;

	if ((rc = xattr_permission(task_cred(t), ino, name, MAY_READ)) < 0)
		return rc;
	if ((rc = xattr_check_name(name)) < 0)
		return rc;
	if (!ino->iops || !ino->iops->getxattr)
		return -EOPNOTSUPP;
	return ino->iops->getxattr(ino, name, buf, MIN(size, (size_t)XATTR_SIZE_MAX_LEN));
}

int vfs_setxattr(struct task *t, const struct path *p, const char *name, const void *value,
		 size_t size, int flags)
{
	struct inode *ino = p->dentry->inode;
	int rc;

	if (path_readonly(p))
		return -EROFS;
	if ((rc = xattr_permission(task_cred(t), ino, name, MAY_WRITE)) < 0)
		return rc;
	if ((rc = xattr_check_name(name)) < 0)
		return rc;
	/* Changing security.capability needs CAP_SETFCAP, any other
	 * security.* attribute CAP_SYS_ADMIN (cap_inode_setxattr). */
	if (has_prefix(name, PFX_SECURITY) && t) {
		int cap = strcmp(name, "security.capability") ? CAP_SYS_ADMIN : CAP_SETFCAP;

		if (!cred_capable(t->cred, cap))
			return -EPERM;
	}
	if (!ino->iops || !ino->iops->setxattr)
		return -EOPNOTSUPP;
	rc = ino->iops->setxattr(ino, name, value ? value : "", size, flags);
	if (rc == 0)
		fsnotify_xattr(p->dentry);
	return rc;
}

struct list_filter {
	const struct cred *c;
};

/* Linux lists trusted.* only to CAP_SYS_ADMIN. */
static bool list_visible(const char *name, void *arg)
{
	struct list_filter *lf = arg;

	return !has_prefix(name, PFX_TRUSTED) || !lf->c || cred_capable(lf->c, CAP_SYS_ADMIN);
}

ssize_t vfs_listxattr(struct task *t, const struct path *p, char *buf, size_t size)
{
	struct inode *ino = p->dentry->inode;
	struct list_filter lf = { task_cred(t) };

	/* A filesystem without xattrs has an empty list. */
	if (!ino->iops || !ino->iops->listxattr)
		return 0;
	return ino->iops->listxattr(ino, buf, MIN(size, (size_t)XATTR_LIST_MAX_LEN), list_visible, &lf);
}

int vfs_removexattr(struct task *t, const struct path *p, const char *name)
{
	struct inode *ino = p->dentry->inode;
	int rc;

	if (path_readonly(p))
		return -EROFS;
	if ((rc = xattr_permission(task_cred(t), ino, name, MAY_WRITE)) < 0)
		return rc;
	if ((rc = xattr_check_name(name)) < 0)
		return rc;
	if (has_prefix(name, PFX_SECURITY) && t) {
		int cap = strcmp(name, "security.capability") ? CAP_SYS_ADMIN : CAP_SETFCAP;

		if (!cred_capable(t->cred, cap))
			return -EPERM;
	}
	if (!ino->iops || !ino->iops->removexattr)
		return -EOPNOTSUPP;
	rc = ino->iops->removexattr(ino, name);
	if (rc == 0)
		fsnotify_xattr(p->dentry);
	return rc;
}

/* ---- simple_xattrs ---- */

static struct simple_xattr **simple_xattr_find(struct simple_xattrs *x, const char *name)
{
	struct simple_xattr **pp;

	for (pp = &x->head; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, name) == 0)
			break;
	}
	return pp;
}

ssize_t simple_xattr_get(struct simple_xattrs *x, const char *name, void *buf, size_t size)
{
	struct simple_xattr *xa = *simple_xattr_find(x, name);

	if (!xa)
		return -ENODATA;
	if (size == 0)
		return (ssize_t)xa->size;
	if (size < xa->size)
		return -ERANGE;
	memcpy(buf, xa->value, xa->size);
	return (ssize_t)xa->size;
}

static void simple_xattr_free(struct simple_xattr *xa)
{
	free(xa->name);
	free(xa->value);
	free(xa);
}

int simple_xattr_set(struct simple_xattrs *x, const char *name, const void *value, size_t size,
		     int flags)
{
	struct simple_xattr **pp = simple_xattr_find(x, name), *xa = *pp;

	if (xa && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!xa && (flags & XATTR_REPLACE || !value))
		return -ENODATA;
	if (!value) {
		*pp = xa->next;
		simple_xattr_free(xa);
		return 0;
	}
	if (!xa) {
		xa = xzalloc(sizeof(*xa));
		xa->name = xstrdup(name);
		*pp = xa;
	}
	free(xa->value);
	xa->value = xmalloc(size ? size : 1);
	memcpy(xa->value, value, size);
	xa->size = size;
	return 0;
}

ssize_t simple_xattr_list(struct simple_xattrs *x, char *buf, size_t size,
			  bool (*filter)(const char *name, void *arg), void *arg)
{
	size_t used = 0;

	for (struct simple_xattr *xa = x->head; xa; xa = xa->next) {
		size_t n = strlen(xa->name) + 1;

		if (filter && !filter(xa->name, arg))
			continue;
		if (size) {
			if (used + n > size)
				return -ERANGE;
			memcpy(buf + used, xa->name, n);
		}
		used += n;
	}
	return (ssize_t)used;
}

void simple_xattrs_free(struct simple_xattrs *x)
{
	while (x->head) {
		struct simple_xattr *xa = x->head;

		x->head = xa->next;
		simple_xattr_free(xa);
	}
}

void simple_xattrs_copy(struct simple_xattrs *dst, const struct simple_xattrs *src)
{
	for (struct simple_xattr *xa = src->head; xa; xa = xa->next)
		simple_xattr_set(dst, xa->name, xa->value, xa->size, 0);
}
