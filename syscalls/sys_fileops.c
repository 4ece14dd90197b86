/* Operations on open files that reach their filesystem: ftruncate, fsync,
 * fdatasync. A file without a name (memfd) is truncated through its inode. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
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

static long do_fsync(struct task *t, int fd, bool datasync)
{
	_cleanup_file_ struct file *f = fd_get(t, fd);

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (f->ops && f->ops->fsync)
		return f->ops->fsync(f, datasync);
	/* Files of the sentry's own making have nothing to write back;
	 * pipes, sockets and terminals cannot sync (Linux: EINVAL). */
	if (f->inode && (S_ISREG(f->inode->mode) || S_ISDIR(f->inode->mode)))
		return 0;
	return -EINVAL;
}

SYSCALL_DEFINE(fsync, "d")
{
	return do_fsync(t, (int)a->a[0], false);
}

SYSCALL_DEFINE(fdatasync, "d")
{
	return do_fsync(t, (int)a->a[0], true);
}
