/* eventfd, eventfd2, signalfd, signalfd4 (the files are sentry/fs/eventfd.c
 * and sentry/fs/signalfd.c). */
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/eventfd.h"
#include "sentry/fs/signalfd.h"
#include "sentry/kernel.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

_Static_assert(EFD_SEMAPHORE == KEFD_SEMAPHORE, "EFD_SEMAPHORE");
_Static_assert(EFD_NONBLOCK == O_NONBLOCK && SFD_NONBLOCK == O_NONBLOCK, "NONBLOCK flags");

/* Installs a new file and drops the creation reference. */
static long install(struct task *t, struct file *f, bool cloexec)
{
	int fd = fd_install(t, 0, f, cloexec);

	file_put(f);
	return fd;
}

static long do_eventfd2(struct task *t, unsigned int count, int flags)
{
	struct file *f;
	int err;

	if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	err = eventfd_create(count, flags & (EFD_SEMAPHORE | EFD_NONBLOCK), &f);
	if (err)
		return err;
	return install(t, f, flags & EFD_CLOEXEC);
}

SYSCALL_DEFINE(eventfd, "u")
{
	return do_eventfd2(t, (unsigned int)a->a[0], 0);
}

SYSCALL_DEFINE(eventfd2, "ux")
{
	return do_eventfd2(t, (unsigned int)a->a[0], (int)a->a[1]);
}

static long do_signalfd4(struct task *t, int ufd, uint64_t umask, uint64_t sizemask, int flags)
{
	ksigset_t mask;
	struct file *f;
	int err;

	if (sizemask != sizeof(ksigset_t))
		return -EINVAL;
	if (copy_from_user(t, &mask, umask, sizeof(mask)))
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (ufd == -1) {
		err = signalfd_create(t, mask, flags & SFD_NONBLOCK, &f);
		if (err)
			return err;
		return install(t, f, flags & SFD_CLOEXEC);
	}
	f = fd_get(t, ufd);
	if (!f)
		return -EBADF;
	err = signalfd_set_mask(f, mask);
	file_put(f);
	return err ? err : ufd;
}

SYSCALL_DEFINE(signalfd, "fpu")
{
	return do_signalfd4(t, (int)a->a[0], a->a[1], a->a[2], 0);
}

SYSCALL_DEFINE(signalfd4, "fpux")
{
	return do_signalfd4(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}
