/* Address spaces. The VMA list is the truth; every change is mirrored into
 * the platform address space (mm->as) so the application sees the same
 * memory-file pages the sentry reads and writes. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/vfs.h"

/* Default top of the mmap area: below the stack region, as Linux leaves a
 * gap for stack growth (RLIMIT_STACK, at least 128 MiB). */
#define MMAP_BASE_GAP (256ULL << 20)
#define STACK_TOP (APP_MAX_ADDR - PAGE_SIZE)

static const struct platform_ops *pops(void) { return kernel ? kernel->pops : NULL; }

static struct mf_range *range_get(struct mf_range *r)
{
	r->refcount++;
	return r;
}

static void range_put(struct mf_range *r)
{
	if (--r->refcount > 0)
		return;
	if (kernel && kernel->mf)
		memfile_free(kernel->mf, r->off, r->len);
	free(r);
}

static struct mf_range *range_alloc(uint64_t len, int *err)
{
	struct mf_range *r = xzalloc(sizeof(*r));
	r->refcount = 1;
	r->len = len;
	if (kernel && kernel->mf) {
		*err = memfile_alloc(kernel->mf, len, &r->off);
		if (*err < 0) {
			free(r);
			return NULL;
		}
	}
	return r;
}

int mm_new(struct mm **out)
{
	struct mm *mm = xzalloc(sizeof(*mm));
	mm->refcount = 1;
	list_init(&mm->vmas);
	mm->stack_top = STACK_TOP;
	mm->mmap_base = STACK_TOP - MMAP_BASE_GAP;
	if (pops()) {
		int err = pops()->as_new(kernel->platform, &mm->as);
		if (err < 0) {
			free(mm);
			return err;
		}
	}
	*out = mm;
	return 0;
}

struct mm *mm_get(struct mm *mm)
{
	mm->refcount++;
	return mm;
}

static void vma_free(struct mm *mm, struct vma *v)
{
	list_del(&v->link);
	mm->nr_vmas--;
	mm->total_vm -= v->end - v->start;
	if (v->range)
		range_put(v->range);
	if (v->file)
		file_put(v->file);
	free(v->name);
	free(v);
}

void mm_put(struct mm *mm)
{
	if (!mm || --mm->refcount > 0)
		return;
	struct vma *v, *n;
	list_for_each_entry_safe(v, n, &mm->vmas, link)
		vma_free(mm, v);
	if (mm->as && pops())
		pops()->as_release(mm->as);
	if (mm->exe_file)
		file_put(mm->exe_file);
	free(mm);
}

struct vma *mm_find_vma(struct mm *mm, uint64_t addr)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link) {
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

static struct vma *vma_clone(const struct vma *v)
{
	struct vma *c = xmalloc(sizeof(*c));
	*c = *v;
	list_init(&c->link);
	if (c->range)
		range_get(c->range);
	if (c->file)
		file_get(c->file);
	c->name = v->name ? xstrdup(v->name) : NULL;
	return c;
}

/* Splits v at addr (strictly inside it); returns the upper half. */
static struct vma *vma_split(struct mm *mm, struct vma *v, uint64_t addr)
{
	struct vma *hi = vma_clone(v);
	hi->start = addr;
	hi->range_off += addr - v->start;
	hi->file_off += addr - v->start;
	v->end = addr;
	list_add(&hi->link, &v->link);
	mm->nr_vmas++;
	return hi;
}

int vma_insert_range(struct mm *mm, uint64_t start, uint64_t end, int prot, int flags,
		     struct mf_range *range, uint64_t range_off)
{
	struct vma *v = xzalloc(sizeof(*v));
	list_init(&v->link);
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->flags = flags;
	v->range = range ? range_get(range) : NULL;
	v->range_off = range_off;

	struct list_head *pos = &mm->vmas;
	struct vma *it;
	list_for_each_entry(it, &mm->vmas, link) {
		if (it->start >= end) {
			pos = &it->link;
			break;
		}
		if (it->end > start) {
			range_put(v->range);
			free(v);
			return -EEXIST;
		}
	}
	list_add_tail(&v->link, pos);
	mm->nr_vmas++;
	mm->total_vm += end - start;
	return 0;
}

static int vma_remove(struct mm *mm, uint64_t start, uint64_t end, bool decommit);

int vma_remove_range(struct mm *mm, uint64_t start, uint64_t end)
{
	return vma_remove(mm, start, end, true);
}

/* decommit: whether private pages die with the VMA (munmap) or live on in
 * another VMA that took over the range (mremap moving a mapping). */
static int vma_remove(struct mm *mm, uint64_t start, uint64_t end, bool decommit)
{
	struct vma *v, *n;
	list_for_each_entry_safe(v, n, &mm->vmas, link) {
		if (v->start >= end)
			break;
		if (v->end <= start)
			continue;
		if (v->start < start) {
			n = vma_split(mm, v, start); /* visit the upper half next */
			continue;
		}
		if (v->end > end)
			vma_split(mm, v, end);
		/* Private pages belong to this VMA alone: give them back now
		 * rather than when the whole range dies. */
		if (decommit && !(v->flags & VMA_SHARED) && v->range && kernel && kernel->mf)
			memfile_decommit(kernel->mf, v->range->off + v->range_off, v->end - v->start);
		n = list_entry(v->link.next, struct vma, link);
		vma_free(mm, v);
	}
	return 0;
}

uint64_t mm_get_unmapped_area(struct mm *mm, uint64_t len)
{
	uint64_t top = mm->mmap_base;
	struct vma *v;
	/* Walk down from the highest VMA below top looking for a gap. */
	for (struct list_head *p = mm->vmas.prev; p != &mm->vmas; p = p->prev) {
		v = list_entry(p, struct vma, link);
		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			return top - len;
		top = MIN(top, v->start);
	}
	if (top >= APP_MIN_ADDR + len)
		return top - len;
	return 0;
}

static bool range_is_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link) {
		if (v->start >= end)
			break;
		if (v->end > start)
			return false;
	}
	return true;
}

int64_t mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
		struct file *file, uint64_t off)
{
	if (len == 0)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	int type = flags & MAP_TYPE;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		/* File-backed mappings arrive with the process-model work. */
		log_once("mmap-file", "mmap of a file is not supported yet (ENODEV)");
		return -ENODEV;
	}
	if (off % PAGE_SIZE)
		return -EINVAL;
	uint64_t alen = PAGE_ALIGN(len);
	if (alen < len || alen > APP_MAX_ADDR)
		return -ENOMEM;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed) {
		if (addr % PAGE_SIZE)
			return -EINVAL;
		if (addr < APP_MIN_ADDR || addr + alen > APP_MAX_ADDR || addr + alen < addr)
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !range_is_free(mm, addr, addr + alen))
			return -EEXIST;
	} else {
		addr = PAGE_ALIGN(addr);
		if (!addr || addr < APP_MIN_ADDR || addr + alen > APP_MAX_ADDR ||
		    !range_is_free(mm, addr, addr + alen))
			addr = mm_get_unmapped_area(mm, alen);
		if (!addr)
			return -ENOMEM;
	}

	int err = 0;
	struct mf_range *r = range_alloc(alen, &err);
	if (!r)
		return err;
	if (fixed)
		vma_remove_range(mm, addr, addr + alen);
	int vflags = (type == MAP_PRIVATE ? 0 : VMA_SHARED) | ((flags & MAP_GROWSDOWN) ? VMA_GROWSDOWN : 0);
	err = vma_insert_range(mm, addr, addr + alen, prot & (PROT_READ | PROT_WRITE | PROT_EXEC), vflags, r, 0);
	range_put(r); /* the VMA holds it now */
	if (err < 0)
		return err;
	if (mm->as) {
		err = pops()->as_map(mm->as, addr, alen, prot & (PROT_READ | PROT_WRITE | PROT_EXEC), r->off);
		if (err < 0) {
			vma_remove_range(mm, addr, addr + alen);
			return err;
		}
	}
	return (int64_t)addr;
}

int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	if (addr % PAGE_SIZE || len == 0)
		return -EINVAL;
	uint64_t alen = PAGE_ALIGN(len);
	if (addr + alen < addr || addr + alen > APP_MAX_ADDR)
		return -EINVAL;
	vma_remove_range(mm, addr, addr + alen);
	if (mm->as)
		return pops()->as_unmap(mm->as, addr, alen);
	return 0;
}

int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot)
{
	if (addr % PAGE_SIZE)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	uint64_t end = addr + PAGE_ALIGN(len);
	if (end < addr)
		return -ENOMEM;
	if (len == 0)
		return 0;
	/* Linux fails with ENOMEM if any page of the range is unmapped, and
	 * then leaves the range unchanged: check first. */
	uint64_t cur = addr;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link) {
		if (v->end <= cur)
			continue;
		if (v->start > cur)
			return -ENOMEM;
		cur = v->end;
		if (cur >= end)
			break;
	}
	if (cur < end)
		return -ENOMEM;
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	struct vma *n;
	list_for_each_entry_safe(v, n, &mm->vmas, link) {
		if (v->start >= end)
			break;
		if (v->end <= addr)
			continue;
		if (v->start < addr) {
			n = vma_split(mm, v, addr); /* visit the upper half next */
			continue;
		}
		if (v->end > end)
			vma_split(mm, v, end);
		v->prot = prot;
		n = list_entry(v->link.next, struct vma, link);
	}
	if (mm->as)
		return pops()->as_protect(mm->as, addr, end - addr, prot);
	return 0;
}

uint64_t mm_brk(struct mm *mm, uint64_t newbrk)
{
	if (newbrk < mm->brk_start)
		return mm->brk;
	uint64_t old_end = PAGE_ALIGN(mm->brk), new_end = PAGE_ALIGN(newbrk);
	if (new_end > old_end) {
		if (new_end > mm->mmap_base || !range_is_free(mm, old_end, new_end))
			return mm->brk;
		int64_t r = mm_mmap(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		if (r < 0)
			return mm->brk;
		struct vma *v = mm_find_vma(mm, old_end);
		if (v)
			v->flags |= VMA_HEAP;
	} else if (new_end < old_end) {
		mm_munmap(mm, new_end, old_end - new_end);
	}
	mm->brk = newbrk;
	return mm->brk;
}

int mm_fork(struct mm *parent, struct mm **out)
{
	struct mm *mm;
	int err = mm_new(&mm);
	if (err < 0)
		return err;
	mm->brk_start = parent->brk_start;
	mm->brk = parent->brk;
	mm->mmap_base = parent->mmap_base;
	mm->stack_top = parent->stack_top;
	mm->arg_start = parent->arg_start;
	mm->arg_end = parent->arg_end;
	mm->env_start = parent->env_start;
	mm->env_end = parent->env_end;
	memcpy(mm->auxv, parent->auxv, sizeof(mm->auxv));
	mm->auxv_len = parent->auxv_len;
	mm->exe_file = parent->exe_file ? file_get(parent->exe_file) : NULL;

	struct vma *v;
	list_for_each_entry(v, &parent->vmas, link) {
		struct vma *c = vma_clone(v);
		uint64_t len = v->end - v->start;
		if (!(v->flags & VMA_SHARED) && v->range) {
			/* Private memory: an eager copy of the pages that exist. */
			struct mf_range *r = range_alloc(len, &err);
			if (!r) {
				c->range->refcount--; /* undo clone's ref without freeing */
				free(c->name);
				if (c->file)
					file_put(c->file);
				free(c);
				goto fail;
			}
			err = memfile_copy(kernel->mf, r->off, v->range->off + v->range_off, len);
			range_put(c->range);
			c->range = r;
			c->range_off = 0;
			if (err < 0) {
				list_add_tail(&c->link, &mm->vmas);
				mm->nr_vmas++;
				mm->total_vm += len;
				goto fail;
			}
		}
		list_add_tail(&c->link, &mm->vmas);
		mm->nr_vmas++;
		mm->total_vm += len;
		if (mm->as) {
			err = pops()->as_map(mm->as, c->start, len, c->prot, c->range->off + c->range_off);
			if (err < 0)
				goto fail;
		}
	}
	*out = mm;
	return 0;
fail:
	mm_put(mm);
	return err;
}

/* Adds fresh anonymous memory [start, end) with v's protection and sharing,
 * for a mapping that grows. */
static int mm_extend(struct mm *mm, const struct vma *v, uint64_t start, uint64_t end)
{
	int err = 0;
	struct mf_range *r = range_alloc(end - start, &err);
	if (!r)
		return err;
	err = vma_insert_range(mm, start, end, v->prot, v->flags & (VMA_SHARED | VMA_GROWSDOWN), r, 0);
	range_put(r);
	if (!err && mm->as)
		err = pops()->as_map(mm->as, start, end - start, v->prot, r->off);
	if (err)
		vma_remove_range(mm, start, end);
	return err;
}

int64_t mm_mremap(struct mm *mm, uint64_t old_addr, uint64_t old_size, uint64_t new_size, int flags,
		  uint64_t new_addr)
{
	if (old_addr % PAGE_SIZE)
		return -EINVAL;
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP) {
		log_once("mremap-dontunmap", "mremap(MREMAP_DONTUNMAP) is not supported");
		return -EINVAL;
	}
	old_size = PAGE_ALIGN(old_size);
	new_size = PAGE_ALIGN(new_size);
	if (!new_size || !old_size)
		return -EINVAL; /* old_size 0 duplicates shared mappings: not supported */
	if (old_addr + old_size < old_addr || new_size > APP_MAX_ADDR)
		return -EINVAL;
	struct vma *v = mm_find_vma(mm, old_addr);
	if (!v || old_addr + old_size > v->end)
		return -EFAULT;
	if (flags & MREMAP_FIXED) {
		if (new_addr % PAGE_SIZE || new_addr < APP_MIN_ADDR || new_addr + new_size > APP_MAX_ADDR)
			return -EINVAL;
		if (new_addr < old_addr + old_size && old_addr < new_addr + new_size)
			return -EINVAL; /* overlapping ranges */
	}
	if (!(flags & MREMAP_FIXED)) {
		if (new_size <= old_size) {
			if (new_size < old_size)
				mm_munmap(mm, old_addr + new_size, old_size - new_size);
			return (int64_t)old_addr;
		}
		/* Grow in place when the pages after it are free. */
		uint64_t end = old_addr + old_size, nend = old_addr + new_size;
		if (end == v->end && nend <= APP_MAX_ADDR && range_is_free(mm, end, nend)) {
			int err = mm_extend(mm, v, end, nend);
			return err ? err : (int64_t)old_addr;
		}
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
		new_addr = mm_get_unmapped_area(mm, new_size);
		if (!new_addr)
			return -ENOMEM;
	} else {
		mm_munmap(mm, new_addr, new_size);
	}

	/* Move: the new VMA takes over the same memory-file pages (no copy),
	 * then the old one goes without releasing them. */
	uint64_t keep = MIN(old_size, new_size);
	struct vma moved = *v;
	uint64_t roff = v->range_off + (old_addr - v->start);
	int err = vma_insert_range(mm, new_addr, new_addr + keep, moved.prot, moved.flags, moved.range, roff);
	if (err)
		return err;
	if (mm->as) {
		err = pops()->as_map(mm->as, new_addr, keep, moved.prot, moved.range->off + roff);
		if (err) {
			vma_remove(mm, new_addr, new_addr + keep, false);
			return err;
		}
	}
	struct vma *nv = mm_find_vma(mm, new_addr);
	vma_remove(mm, old_addr, old_addr + keep, false);
	if (old_size > keep)
		vma_remove_range(mm, old_addr + keep, old_addr + old_size);
	if (mm->as)
		pops()->as_unmap(mm->as, old_addr, old_size);
	if (new_size > keep) {
		err = mm_extend(mm, nv, new_addr + keep, new_addr + new_size);
		if (err)
			return err;
	}
	return (int64_t)new_addr;
}
