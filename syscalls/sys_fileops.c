/* Operations on open files that reach their filesystem: ftruncate,
 * fallocate, fsync, fdatasync, syncfs and sync. A file without a name
 * (memfd) is truncated through its inode. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/pipe.h"
#include "sentry/fsnotify.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

static void file_putp(struct file **f)
{
	if (*f)
		file_put(*f);
}
#define _cleanup_file_ _cleanup_(file_putp)

SYSCALL_DEFINE(ftruncate, "dl")
{
	int64_t length = (int64_t)a->a[1];
	struct vfs_iattr ia = { .valid = VFS_ATTR_SIZE, .size = length };
	int acc;

	/* do_sys_ftruncate's order. */
	if (length < 0)
		return -EINVAL;
	_cleanup_file_ struct file *f = fd_get(t, (int)a->a[0]);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	acc = f->flags & O_ACCMODE;
	if (!f->inode || !S_ISREG(f->inode->mode) || (acc != O_WRONLY && acc != O_RDWR))
		return -EINVAL;
	if (f->path.dentry)
		return vfs_setattr(t, &f->path, &ia);
	/* A file with no name (memfd): nothing but the inode to ask. */
	if (!f->inode->iops || !f->inode->iops->setattr)
		return -EINVAL;
	return f->inode->iops->setattr(f->inode, &ia);
}

SYSCALL_DEFINE(fallocate, "ddll")
{
	_cleanup_file_ struct file *f = fd_get(t, (int)a->a[0]);
	int mode = (int)a->a[1], acc, rc;
	int64_t off = (int64_t)a->a[2], len = (int64_t)a->a[3];

	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_NO_HIDE_STALE |
		     FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |
		     FALLOC_FL_UNSHARE_RANGE))
		return -EOPNOTSUPP;
	/* Punching a hole must not change the size. */
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	acc = f->flags & O_ACCMODE;
	if (acc != O_WRONLY && acc != O_RDWR)
		return -EBADF;
	if (!f->inode || file_is_pipe(f))
		return -ESPIPE;
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!S_ISREG(f->inode->mode))
		return -ENODEV;
	if (!f->ops->fallocate)
		return -EOPNOTSUPP;
	if (off + len < 0)
		return -EFBIG;
	rc = f->ops->fallocate(f, mode, off, len);
	if (rc == 0)
		fsnotify_modify(f);
	return rc;
}

static long do_fsync(struct task *t, int fd, bool datasync)
{
	_cleanup_file_ struct file *f = fd_get(t, fd);

	if (!f)
		return -EBADF;
	return vfs_fsync(f, datasync);
}

SYSCALL_DEFINE(fsync, "d")
{
	return do_fsync(t, (int)a->a[0], false);
}

SYSCALL_DEFINE(fdatasync, "d")
{
	return do_fsync(t, (int)a->a[0], true);
}

/* Nothing the sentry keeps is dirty but what shared mappings changed in
 * gofer files' page caches, which msync/fsync/munmap write back: sync has
 * nothing to start. */
SYSCALL_DEFINE(sync, "")
{
	return 0;
}

SYSCALL_DEFINE(syncfs, "d")
{
	_cleanup_file_ struct file *f = fd_get(t, (int)a->a[0]);

	return f && !(f->flags & O_PATH) ? 0 : -EBADF;
}
