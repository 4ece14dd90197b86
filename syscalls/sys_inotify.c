/* inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch
 * (Linux fs/notify/inotify/inotify_user.c), over sentry/fs/inotify.c. */
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/inotify.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

static void file_putp(struct file **f)
{
	if (*f)
		file_put(*f);
}
#define _cleanup_file_ _cleanup_(file_putp)

static long do_inotify_init(struct task *t, int flags)
{
	struct file *f;
	int rc, fd;

	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	rc = inotify_create(t->cred->euid, flags & IN_NONBLOCK, &f);
	if (rc < 0)
		return rc;
	fd = fd_install(t, 0, f, flags & IN_CLOEXEC);
	file_put(f);
	return fd;
}

SYSCALL_DEFINE(inotify_init, "")
{
	return do_inotify_init(t, 0);
}

SYSCALL_DEFINE(inotify_init1, "x")
{
	return do_inotify_init(t, (int)a->a[0]);
}

SYSCALL_DEFINE(inotify_add_watch, "dsx")
{
	uint32_t mask = (uint32_t)a->a[2];
	_cleanup_free_ char *path = NULL;
	unsigned int lf = 0;
	struct path p;
	int rc;

	/* Checks in inotify_add_watch()'s order. */
	if ((mask & ~(uint32_t)INOTIFY_ALL_BITS) || !(mask & INOTIFY_ALL_BITS))
		return -EINVAL;
	_cleanup_file_ struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!file_is_inotify(f))
		return -EINVAL;
	if (!(mask & IN_DONT_FOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (mask & IN_ONLYDIR)
		lf |= LOOKUP_DIRECTORY;
	rc = copy_path_from_user(t, a->a[1], &path, 0);
	if (rc < 0)
		return rc;
	rc = vfs_lookup(t, AT_FDCWD, path, lf, &p);
	if (rc < 0)
		return rc;
	/* Only what the caller may read can be watched. */
	rc = vfs_permission(t, path_inode(&p), 4 /* MAY_READ */);
	if (rc == 0)
		rc = inotify_file_add_watch(f, path_inode(&p), mask);
	path_put(&p);
	return rc;
}

SYSCALL_DEFINE(inotify_rm_watch, "dd")
{
	_cleanup_file_ struct file *f = fd_get(t, (int)a->a[0]);

	if (!f)
		return -EBADF;
	if (!file_is_inotify(f))
		return -EINVAL;
	return inotify_file_rm_watch(f, (int)a->a[1]);
}
