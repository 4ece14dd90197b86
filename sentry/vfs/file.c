/* Open files: allocation, reference counting, and the access checks every
 * read and write goes through before reaching a filesystem. */
#include <errno.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fsnotify.h"
#include "sentry/signal.h"
#include "sentry/vfs.h"
#include "sentry/vfs/locks.h"

struct file *file_alloc(const struct file_ops *ops, int flags, void *priv)
{
	struct file *f = xzalloc(sizeof(*f));

	f->refcount = 1;
	f->ops = ops;
	f->flags = flags & ~O_CLOEXEC; /* close-on-exec belongs to the fd, not the file */
	f->priv = priv;
	return f;
}

struct file *file_get(struct file *f)
{
	if (f)
		f->refcount++;
	return f;
}

void file_put(struct file *f)
{
	if (!f || --f->refcount > 0)
		return;
	if (f->ep_watchers)
		f->ep_watchers->release(f);
	locks_remove_file(f);
	fsnotify_close(f);
	/* release may still look at the path and inode, so they go last. */
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (f->path.mnt || f->path.dentry)
		path_put(&f->path);
	if (f->inode)
		inode_put(f->inode);
	free(f);
}

/* O_PATH files (and the access mode 3 Linux keeps for ioctl-only opens)
 * can do neither. */
static bool file_readable(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

static bool file_writable(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

ssize_t vfs_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	ssize_t n;

	if (!file_readable(f))
		return -EBADF;
	if (!f->ops || !f->ops->read) {
		/* Linux's generic_read_dir answers EISDIR for directories. */
		if (f->inode && S_ISDIR(f->inode->mode))
			return -EISDIR;
		return -EINVAL;
	}
	n = f->ops->read(f, t, buf, len, pos);
	if (n > 0)
		fsnotify_access(f);
	return n;
}

ssize_t vfs_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos)
{
	ssize_t n;

	if (!file_writable(f))
		return -EBADF;
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	if ((f->flags & O_APPEND) && f->inode) {
		int64_t end;

		if (f->ops->llseek) {
			/* llseek moves f->pos; a pwrite on an O_APPEND file appends
			 * (Linux does too) but must leave the file offset alone. */
			int64_t saved = f->pos;

			end = f->ops->llseek(f, 0, SEEK_END);
			if (end < 0)
				return end;
			if (pos != &f->pos)
				f->pos = saved;
		} else {
			end = f->inode->size;
		}
		*pos = end;
	}
	/* RLIMIT_FSIZE bounds regular files: past it SIGXFSZ and EFBIG, and a
	 * write that straddles it is cut short (generic_write_check_limits). */
	if (t && f->inode && S_ISREG(f->inode->mode)) {
		rlim_t lim = t->tg->rlim[RLIMIT_FSIZE].rlim_cur;
		if (lim != RLIM_INFINITY) {
			if ((uint64_t)*pos >= lim) {
				signal_send_thread(t, SIGXFSZ, NULL);
				return -EFBIG;
			}
			if (len > lim - (uint64_t)*pos)
				len = lim - (uint64_t)*pos;
		}
	}
	n = f->ops->write(f, t, buf, len, pos);
	if (n > 0)
		fsnotify_modify(f);
	return n;
}

int vfs_fstat(struct file *f, struct stat *st)
{
	if (f->ops && f->ops->getattr)
		return f->ops->getattr(f, st);
	if (f->inode) {
		inode_fill_stat(f->inode, st);
		return 0;
	}
	/* Every Linux file has an inode; an anonymous file without getattr
	 * is a bug in its filesystem, not something to paper over. */
	log_once("vfs_fstat_noattr", "fstat on an anonymous file without getattr");
	return -EINVAL;
}

int64_t dcache_dir_llseek(struct file *f, int64_t off, int whence)
{
	int64_t npos;

	switch (whence) {
	case SEEK_SET:
		npos = off;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow(f->pos, off, &npos))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (npos < 0)
		return -EINVAL;
	f->pos = npos;
	return npos;
}
