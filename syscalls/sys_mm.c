/* Memory syscalls over struct mm (sentry/mm.c). */
#include <errno.h>
#include <sys/mman.h>

#include "runsc/log.h"
#include "sentry/fdtable.h"
#include "sentry/memfile.h"
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
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(t, (int)a->a[4]);
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
	uint64_t addr = a->a[0], len = PAGE_ALIGN(a->a[1]);
	int advice = (int)a->a[2];
	if (addr % PAGE_SIZE || addr + len < addr)
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
		return 0; /* advice only: nothing the sandbox must do */
	case MADV_DONTNEED:
	case MADV_FREE: {
		/* Private anonymous pages read back as zeroes afterwards. */
		for (uint64_t cur = addr; cur < addr + len;) {
			struct vma *v = mm_find_vma(t->mm, cur);
			if (!v)
				return -ENOMEM;
			uint64_t end = MIN(v->end, addr + len);
			if (!(v->flags & VMA_SHARED) && v->range)
				memfile_decommit(kernel->mf, v->range->off + v->range_off + (cur - v->start), end - cur);
			cur = end;
		}
		return 0;
	}
	default:
		log_once("madvise", "madvise advice %d is not supported", advice);
		return -EINVAL;
	}
}
