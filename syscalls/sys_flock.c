/* flock(2): whole-file advisory locks (sentry/vfs/locks.c). */
#include <errno.h>
#include <sys/file.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/vfs.h"
#include "sentry/vfs/locks.h"
#include "syscalls/syscalls.h"

SYSCALL_DEFINE(flock, "fx")
{
	unsigned int op = (unsigned int)a->a[1] & ~LOCK_NB;
	struct file *f;
	long r;

	/* Linux checks the operation before the fd. */
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		return -EINVAL;
	f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	r = locks_flock(t, f, (unsigned int)a->a[1]);
	file_put(f);
	return r;
}
