/* Extended attribute syscalls: {,l,f}{get,set,list,remove}xattr. The
 * checks are in sentry/vfs/xattr.c; here the arguments are copied in and
 * out with Linux's limits (names of 1..255 bytes, ERANGE otherwise; values
 * up to 64 KiB, E2BIG beyond). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/kernel.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "sentry/vfs/xattr.h"
#include "syscalls/syscalls.h"

/* fd argument of the path-based calls. */
#define NO_FD INT_MIN

/* A path argument resolved, or the file of an fd (fd != NO_FD). */
struct xattr_target {
	struct path path;
	struct file *file;
};

static int target_get(struct task *t, uint64_t upath, int fd, bool follow, struct xattr_target *x)
{
	_cleanup_free_ char *path = NULL;
	int rc;

	memset(x, 0, sizeof(*x));
	if (fd != NO_FD) {
		x->file = fd_get(t, fd);
		if (!x->file)
			return -EBADF;
		if (x->file->flags & O_PATH)
			return -EBADF;
		/* Pipes and sockets: their (Linux-internal) filesystems have
		 * no xattrs. */
		if (!x->file->path.dentry)
			return -EOPNOTSUPP;
		x->path = x->file->path;
		return 0;
	}
	if ((rc = copy_path_from_user(t, upath, &path, 0)) < 0)
		return rc;
	if ((rc = vfs_lookup(t, AT_FDCWD, path, follow ? LOOKUP_FOLLOW : 0, &x->path)) < 0)
		return rc;
	return 0;
}

static void target_put(struct xattr_target *x)
{
	if (x->file)
		file_put(x->file);
	else if (x->path.dentry)
		path_put(&x->path);
}

static int copy_name(struct task *t, uint64_t uname, char *name)
{
	long n = strncpy_from_user(t, name, uname, XATTR_NAME_MAX_LEN + 1);

	if (n == 0 || n == -ENAMETOOLONG)
		return -ERANGE;
	return n < 0 ? (int)n : 0;
}

static long do_getxattr(struct task *t, uint64_t upath, int fd, bool follow, uint64_t uname,
			uint64_t uvalue, size_t size)
{
	char name[XATTR_NAME_MAX_LEN + 1];
	_cleanup_free_ char *kval = NULL;
	struct xattr_target x;
	long rc;

	if ((rc = copy_name(t, uname, name)) < 0)
		return rc;
	size = MIN(size, (size_t)XATTR_SIZE_MAX_LEN);
	kval = xmalloc(size ? size : 1);
	if ((rc = target_get(t, upath, fd, follow, &x)) == 0)
		rc = vfs_getxattr(t, &x.path, name, kval, size);
	target_put(&x);
	if (rc > 0 && size && copy_to_user(t, uvalue, kval, (size_t)rc) < 0)
		return -EFAULT;
	if (rc == -ERANGE && size >= XATTR_SIZE_MAX_LEN)
		return -E2BIG;
	return rc;
}

static long do_setxattr(struct task *t, uint64_t upath, int fd, bool follow, uint64_t uname,
			uint64_t uvalue, size_t size, int flags)
{
	char name[XATTR_NAME_MAX_LEN + 1];
	_cleanup_free_ char *kval = NULL;
	struct xattr_target x;
	long rc;

	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if ((rc = copy_name(t, uname, name)) < 0)
		return rc;
	if (size > XATTR_SIZE_MAX_LEN)
		return -E2BIG;
	kval = xmalloc(size ? size : 1);
	if (size && (rc = copy_from_user(t, kval, uvalue, size)) < 0)
		return rc;
	if ((rc = target_get(t, upath, fd, follow, &x)) == 0)
		rc = vfs_setxattr(t, &x.path, name, kval, size, flags);
	target_put(&x);
	return rc;
}

static long do_listxattr(struct task *t, uint64_t upath, int fd, bool follow, uint64_t ulist,
			 size_t size)
{
	_cleanup_free_ char *klist = NULL;
	struct xattr_target x;
	long rc;

	size = MIN(size, (size_t)XATTR_LIST_MAX_LEN);
	klist = xmalloc(size ? size : 1);
	if ((rc = target_get(t, upath, fd, follow, &x)) == 0)
		rc = vfs_listxattr(t, &x.path, klist, size);
	else if (rc == -EOPNOTSUPP)
		rc = 0; /* nothing to list on a pipe */
	target_put(&x);
	if (rc > 0 && size && copy_to_user(t, ulist, klist, (size_t)rc) < 0)
		return -EFAULT;
	if (rc == -ERANGE && size >= XATTR_LIST_MAX_LEN)
		return -E2BIG;
	return rc;
}

static long do_removexattr(struct task *t, uint64_t upath, int fd, bool follow, uint64_t uname)
{
	char name[XATTR_NAME_MAX_LEN + 1];
	struct xattr_target x;
	long rc;

	if ((rc = copy_name(t, uname, name)) < 0)
		return rc;
	if ((rc = target_get(t, upath, fd, follow, &x)) == 0)
		rc = vfs_removexattr(t, &x.path, name);
	target_put(&x);
	return rc;
}

SYSCALL_DEFINE(getxattr, "sspu")
{
	return do_getxattr(t, a->a[0], NO_FD, true, a->a[1], a->a[2], a->a[3]);
}

SYSCALL_DEFINE(lgetxattr, "sspu")
{
	return do_getxattr(t, a->a[0], NO_FD, false, a->a[1], a->a[2], a->a[3]);
}

SYSCALL_DEFINE(fgetxattr, "fspu")
{
	return do_getxattr(t, 0, (int)a->a[0], false, a->a[1], a->a[2], a->a[3]);
}

SYSCALL_DEFINE(setxattr, "sspux")
{
	return do_setxattr(t, a->a[0], NO_FD, true, a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}

SYSCALL_DEFINE(lsetxattr, "sspux")
{
	return do_setxattr(t, a->a[0], NO_FD, false, a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}

SYSCALL_DEFINE(fsetxattr, "fspux")
{
	return do_setxattr(t, 0, (int)a->a[0], false, a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}

SYSCALL_DEFINE(listxattr, "spu")
{
	return do_listxattr(t, a->a[0], NO_FD, true, a->a[1], a->a[2]);
}

SYSCALL_DEFINE(llistxattr, "spu")
{
	return do_listxattr(t, a->a[0], NO_FD, false, a->a[1], a->a[2]);
}

SYSCALL_DEFINE(flistxattr, "fpu")
{
	return do_listxattr(t, 0, (int)a->a[0], false, a->a[1], a->a[2]);
}

SYSCALL_DEFINE(removexattr, "ss")
{
	return do_removexattr(t, a->a[0], NO_FD, true, a->a[1]);
}

SYSCALL_DEFINE(lremovexattr, "ss")
{
	return do_removexattr(t, a->a[0], NO_FD, false, a->a[1]);
}

SYSCALL_DEFINE(fremovexattr, "fs")
{
	return do_removexattr(t, 0, (int)a->a[0], false, a->a[1]);
}
