/* Memory syscalls over struct mm (sentry/mm.c). */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include <linux/capability.h>

#include "runsc/log.h"
#include "sentry/fdtable.h"
#include "runsc/util.h"
#include "sentry/usercopy.h"
#include "sentry/mm.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

SYSCALL_DEFINE(brk, "p")
{
	return (long)mm_brk(t->mm, a->a[0]);
}

SYSCALL_DEFINE(mmap, "pxxxfx")
{
	int flags = (int)a->a[3];
	struct file *f = NULL;

	/* x86's sys_mmap checks the offset before the descriptor. */
	if (a->a[5] % PAGE_SIZE)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(t, (int)a->a[4]);
		/* O_PATH descriptors are not files to fget(). */
		if (f && (f->flags & O_PATH)) {
			file_put(f);
			f = NULL;
		}
		if (!f)
			return -EBADF;
	}
	long r = mm_mmap(t->mm, a->a[0], a->a[1], (int)a->a[2], flags, f, a->a[5]);
	if (f)
		file_put(f);
	return r;
}

SYSCALL_DEFINE(munmap, "px")
{
	return mm_munmap(t->mm, a->a[0], a->a[1]);
}

SYSCALL_DEFINE(mprotect, "pxx")
{
	return mm_mprotect(t->mm, a->a[0], a->a[1], (int)a->a[2]);
}

SYSCALL_DEFINE(mremap, "pxxxp")
{
	return mm_mremap(t->mm, a->a[0], a->a[1], a->a[2], (int)a->a[3], a->a[4]);
}

SYSCALL_DEFINE(madvise, "pxd")
{
	return mm_madvise(t->mm, a->a[0], a->a[1], (int)a->a[2]);
}

SYSCALL_DEFINE(msync, "pxx")
{
	return mm_msync(t->mm, a->a[0], a->a[1], (int)a->a[2]);
}

SYSCALL_DEFINE(mincore, "pxp")
{
	uint64_t start = a->a[0], len = a->a[1], uvec = a->a[2];

	if (start % PAGE_SIZE)
		return -EINVAL;
	if (len > APP_MAX_ADDR || start + len > APP_MAX_ADDR)
		return -ENOMEM; /* not a user range (access_ok) */
	uint64_t pages = len / PAGE_SIZE + (len % PAGE_SIZE != 0);
	/* A bounded buffer, copied out as Linux does: one piece at a time, so
	 * an unmapped page leaves the pieces before it written. */
	uint8_t buf[4096];
	while (pages > 0) {
		uint64_t n = MIN(pages, (uint64_t)sizeof(buf)), done;
		int err = mm_mincore(t->mm, start, n, buf, &done);
		if (done && copy_to_user(t, uvec, buf, done))
			return -EFAULT;
		if (err)
			return err;
		pages -= n;
		uvec += n;
		start += n * PAGE_SIZE;
	}
	return 0;
}

/* ---- mlock: nothing is ever swapped, so a lock is the flag (which
 * msync(MS_INVALIDATE) and madvise honour) and its RLIMIT_MEMLOCK
 * accounting. ---- */

static bool can_do_mlock(struct task *t)
{
	return cred_capable(t->cred, CAP_IPC_LOCK) || t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur != 0;
}

static long do_mlock(struct task *t, uint64_t start, uint64_t len)
{
	if (!can_do_mlock(t))
		return -EPERM;
	len = PAGE_ALIGN(len + start % PAGE_SIZE);
	start = ALIGN_DOWN(start, PAGE_SIZE);
	uint64_t limit = t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur / PAGE_SIZE;
	uint64_t locked = len / PAGE_SIZE + mm_locked_bytes(t->mm, 0, UINT64_MAX) / PAGE_SIZE;
	bool cap = cred_capable(t->cred, CAP_IPC_LOCK);
	/* Pages already locked in the range do not count twice. */
	if (locked > limit && !cap)
		locked -= mm_locked_bytes(t->mm, start, start + len) / PAGE_SIZE;
	if (locked > limit && !cap)
		return -ENOMEM;
	if (start + len < start)
		return -EINVAL;
	if (len == 0)
		return 0;
	return mm_mlock(t->mm, start, start + len, true);
}

SYSCALL_DEFINE(mlock, "px")
{
	return do_mlock(t, a->a[0], a->a[1]);
}

SYSCALL_DEFINE(mlock2, "pxx")
{
	if (a->a[2] & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(t, a->a[0], a->a[1]);
}

SYSCALL_DEFINE(munlock, "px")
{
	uint64_t start = a->a[0], len = PAGE_ALIGN(a->a[1] + a->a[0] % PAGE_SIZE);
	start = ALIGN_DOWN(start, PAGE_SIZE);
	if (start + len < start)
		return -EINVAL;
	if (len == 0)
		return 0;
	return mm_mlock(t->mm, start, start + len, false);
}

SYSCALL_DEFINE(mlockall, "x")
{
	int flags = (int)a->a[0];
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(t))
		return -EPERM;
	if ((flags & MCL_CURRENT) && !cred_capable(t->cred, CAP_IPC_LOCK) &&
	    t->mm->total_vm / PAGE_SIZE > t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur / PAGE_SIZE)
		return -ENOMEM;
	t->mm->def_flags = (flags & MCL_FUTURE) ? VMA_LOCKED : 0;
	if (flags & MCL_CURRENT)
		mm_mlock_all(t->mm, true);
	return 0;
}

SYSCALL_DEFINE(munlockall, "")
{
	t->mm->def_flags = 0;
	mm_mlock_all(t->mm, false);
	return 0;
}
