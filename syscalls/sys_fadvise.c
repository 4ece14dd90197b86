/* fadvise64: access-pattern advice for a file's page cache.
 *
 * Advice never changes what reads and writes return, only how a kernel
 * caches; Linux itself takes it and does nothing for files without a
 * backing device (its generic_fadvise on noop_backing_dev_info, DAX).
 * The sentry's page caches have no readahead or LRU to steer, so every
 * file is such a file here: the checks Linux makes, then success. */
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

SYSCALL_DEFINE(fadvise64, "dlld")
{
	_cleanup_file_ struct file *f = fd_get(t, (int)a->a[0]);
	int64_t len = (int64_t)a->a[2];
	int advice = (int)a->a[3];
	struct stat st;
	int r;

	/* fdget: O_PATH descriptors are not files to advise on. */
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	r = vfs_fstat(f, &st);
	if (r < 0)
		return r;
	if (S_ISFIFO(st.st_mode))
		return -ESPIPE;
	if (len < 0)
		return -EINVAL;
	switch (advice) {
	case POSIX_FADV_NORMAL:
	case POSIX_FADV_RANDOM:
	case POSIX_FADV_SEQUENTIAL:
	case POSIX_FADV_WILLNEED:
	case POSIX_FADV_NOREUSE:
	case POSIX_FADV_DONTNEED:
		return 0;
	default:
		return -EINVAL;
	}
}
