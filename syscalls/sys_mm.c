/* Memory syscalls over struct mm (sentry/mm.c). */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

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
