/* flock(2): whole-file advisory locks (sentry/vfs/locks.c). */
#include <errno.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/vfs.h"
#include "sentry/vfs/locks.h"
#include "syscalls/syscalls.h"

SYSCALL_DEFINE(flock, "fx")
{
	struct file *f = fd_get(t, (int)a->a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = locks_flock(t, f, (unsigned int)a->a[1]);
	file_put(f);
	return r;
}
