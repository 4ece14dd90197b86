/* Application memory access through the memory file. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>

#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/usercopy.h"

/* The vDSO lies outside every VMA; the platform keeps a copy of what the
 * application sees there, which reads on its behalf use. NULL if addr is
 * not in a readable vDSO area; else the bytes from addr, *avail of them. */
static const uint8_t *vdso_bytes(uint64_t addr, size_t *avail)
{
	const struct platform_vdso *vd = kernel_vdso();

	for (int i = 0; vd && i < vd->nareas; i++) {
		const struct platform_vdso_area *a = &vd->areas[i];
		if (addr >= a->start && addr < a->end && a->data && (a->prot & PROT_READ)) {
			*avail = a->end - addr;
			return (const uint8_t *)a->data + (addr - a->start);
		}
	}
	return NULL;
}

size_t user_vdso_readable(uint64_t addr)
{
	size_t avail;
	return vdso_bytes(addr, &avail) ? avail : 0;
}

/* Calls fn on each piece of [addr, addr+n) as a sentry pointer. need is the
 * protection the access needs; force (execve writing a fresh stack,
 * ptrace-like pokes) skips the check. */
static int mm_walk(struct mm *mm, uint64_t addr, size_t n, int need, bool force,
		   void (*fn)(void *p, size_t len, void *arg), void *arg)
{
	if (addr + n < addr)
		return -EFAULT;
	while (n > 0) {
		struct vma *v = mm_find_vma(mm, addr);
		size_t avail;
		const uint8_t *vdso = !v && need == PROT_READ ? vdso_bytes(addr, &avail) : NULL;
		if (vdso) {
			size_t chunk = MIN(n, avail);
			fn((void *)vdso, chunk, arg); /* read_piece: only read */
			addr += chunk;
			n -= chunk;
			continue;
		}
		if (!v || !v->range || (!force && (v->prot & need) != need))
			return -EFAULT;
		size_t chunk = MIN(n, v->end - addr);
		/* File pages: loaded, or privately copied before a write. */
		if (v->cache && mm_prepare_access(mm, v, addr, chunk, need & PROT_WRITE))
			return -EFAULT;
		while (chunk > 0) {
			/* Pages shared copy-on-write are copied before a write. */
			uint64_t off;
			int64_t c = mm_vma_mfoff(mm, v, addr, chunk, need & PROT_WRITE, &off);
			if (c <= 0)
				return -EFAULT;
			fn(memfile_ptr(kernel->mf, off), (size_t)c, arg);
			addr += (uint64_t)c;
			n -= (size_t)c;
			chunk -= (size_t)c;
		}
	}
	return 0;
}

struct cursor {
	uint8_t *buf;
};

static void read_piece(void *p, size_t len, void *arg)
{
	struct cursor *c = arg;
	memcpy(c->buf, p, len);
	c->buf += len;
}

static void write_piece(void *p, size_t len, void *arg)
{
	struct cursor *c = arg;
	memcpy(p, c->buf, len);
	c->buf += len;
}

static void zero_piece(void *p, size_t len, void *arg)
{
	memset(p, 0, len);
}

int mm_copy_from(struct mm *mm, void *dst, uint64_t src, size_t n)
{
	struct cursor c = { dst };
	return mm_walk(mm, src, n, PROT_READ, false, read_piece, &c);
}

int mm_copy_to(struct mm *mm, uint64_t dst, const void *src, size_t n, int force)
{
	struct cursor c = { (uint8_t *)src };
	return mm_walk(mm, dst, n, PROT_WRITE, force, write_piece, &c);
}

int copy_from_user(struct task *t, void *dst, uint64_t src, size_t n)
{
	return mm_copy_from(t->mm, dst, src, n);
}

int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t n)
{
	return mm_copy_to(t->mm, dst, src, n, 0);
}

int clear_user(struct task *t, uint64_t dst, size_t n)
{
	return mm_walk(t->mm, dst, n, PROT_WRITE, false, zero_piece, NULL);
}

long strncpy_from_user(struct task *t, char *dst, uint64_t src, size_t max)
{
	size_t done = 0;
	while (done < max) {
		struct vma *v = mm_find_vma(t->mm, src + done);
		size_t chunk;
		const char *p;
		if (!v && (p = (const char *)vdso_bytes(src + done, &chunk))) {
			chunk = MIN(max - done, chunk);
			goto scan;
		}
		if (!v || !v->range || !(v->prot & PROT_READ))
			return -EFAULT;
		chunk = MIN(max - done, v->end - (src + done));
		if (v->cache) {
			/* Up to the end of the file's pages: the string may end
			 * before them. */
			uint64_t a = src + done;
			while (chunk > 0 && mm_prepare_access(t->mm, v, a, chunk, false))
				chunk = chunk > PAGE_SIZE ? ALIGN_DOWN(a + chunk - 1, PAGE_SIZE) - a : 0;
			if (chunk == 0)
				return -EFAULT;
		}
		uint64_t off;
		int64_t c = mm_vma_mfoff(t->mm, v, src + done, chunk, false, &off);
		if (c <= 0)
			return -EFAULT;
		chunk = (size_t)c;
		p = memfile_ptr(kernel->mf, off);
scan:;
		const char *nul = memchr(p, 0, chunk);
		if (nul) {
			size_t l = (size_t)(nul - p);
			memcpy(dst + done, p, l + 1);
			return (long)(done + l);
		}
		memcpy(dst + done, p, chunk);
		done += chunk;
	}
	return -ENAMETOOLONG;
}

int copy_path_from_user(struct task *t, uint64_t src, char **out, int allow_empty)
{
	char *buf = xmalloc(PATH_MAX);
	long n = strncpy_from_user(t, buf, src, PATH_MAX);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	if (n == 0 && !allow_empty) {
		free(buf);
		return -ENOENT;
	}
	*out = buf;
	return 0;
}
