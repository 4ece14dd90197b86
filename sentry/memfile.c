/* The memory file allocator. Space is handed out first-fit from a sorted,
 * coalesced free list; when it runs out the file grows. Freed space has its
 * pages punched out so the host gets the memory back at once. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"

struct memfile_extent {
	struct memfile_extent *next;
	uint64_t off, len;
};

struct memfile_ref_leaf {
	uint32_t nonzero;               /* counts that are not 0 */
	uint32_t ref[MEMFILE_REF_LEAF];
};

#define REF_LEAF_BYTES ((uint64_t)MEMFILE_REF_LEAF * PAGE_SIZE)

/* Grow the file in large steps: ftruncate is a host syscall, and file size
 * costs nothing until pages are touched. */
#define MEMFILE_GROW_STEP (64ULL << 20)

int memfile_init(struct memfile *mf, uint64_t reserve)
{
	memset(mf, 0, sizeof(*mf));
	mf->fd = memfd_create("sandboxrun-memory", MFD_CLOEXEC);
	if (mf->fd < 0)
		return -errno;
	mf->base = mmap(NULL, reserve, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, mf->fd, 0);
	if (mf->base == MAP_FAILED) {
		int err = -errno;
		close(mf->fd);
		return err;
	}
	mf->reserve = reserve;
	return 0;
}

void memfile_destroy(struct memfile *mf)
{
	struct memfile_extent *e = mf->free_list;
	while (e) {
		struct memfile_extent *n = e->next;
		free(e);
		e = n;
	}
	if (mf->refs) {
		for (uint64_t i = 0; i < mf->reserve / REF_LEAF_BYTES + 1; i++)
			free(mf->refs[i]);
		free(mf->refs);
	}
	if (mf->base && mf->base != MAP_FAILED)
		munmap(mf->base, mf->reserve);
	if (mf->fd >= 0)
		close(mf->fd);
	memset(mf, 0, sizeof(*mf));
	mf->fd = -1;
}

static void free_list_insert(struct memfile *mf, uint64_t off, uint64_t len)
{
	struct memfile_extent **pp = &mf->free_list, *prev = NULL;
	while (*pp && (*pp)->off < off) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	struct memfile_extent *next = *pp;
	if (prev && prev->off + prev->len == off) {
		prev->len += len;
		if (next && prev->off + prev->len == next->off) {
			prev->len += next->len;
			prev->next = next->next;
			free(next);
		}
		return;
	}
	if (next && off + len == next->off) {
		next->off = off;
		next->len += len;
		return;
	}
	struct memfile_extent *e = xmalloc(sizeof(*e));
	e->off = off;
	e->len = len;
	e->next = next;
	*pp = e;
}

int memfile_alloc(struct memfile *mf, uint64_t len, uint64_t *off)
{
	if (len == 0 || len % PAGE_SIZE)
		return -EINVAL;
	for (struct memfile_extent **pp = &mf->free_list; *pp; pp = &(*pp)->next) {
		struct memfile_extent *e = *pp;
		if (e->len < len)
			continue;
		*off = e->off;
		e->off += len;
		e->len -= len;
		if (e->len == 0) {
			*pp = e->next;
			free(e);
		}
		mf->allocated += len;
		return 0;
	}
	if (mf->size + len > mf->reserve)
		return -ENOMEM;
	uint64_t newsize = ALIGN_UP(mf->size + len, MEMFILE_GROW_STEP);
	if (newsize > mf->reserve)
		newsize = mf->size + len;
	if (ftruncate(mf->fd, (off_t)newsize) < 0)
		return -errno;
	*off = mf->size;
	if (newsize > mf->size + len)
		free_list_insert(mf, mf->size + len, newsize - mf->size - len);
	mf->size = newsize;
	mf->allocated += len;
	return 0;
}

void memfile_decommit(struct memfile *mf, uint64_t off, uint64_t len)
{
	if (fallocate(mf->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) < 0)
		memset(mf->base + off, 0, len); /* still must read back as zeroes */
}

void memfile_free(struct memfile *mf, uint64_t off, uint64_t len)
{
	memfile_decommit(mf, off, len);
	free_list_insert(mf, off, len);
	mf->allocated -= len;
}

int memfile_copy(struct memfile *mf, uint64_t dst, uint64_t src, uint64_t len)
{
	uint64_t pos = src, end = src + len;
	while (pos < end) {
		off_t data = lseek(mf->fd, (off_t)pos, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break; /* only holes remain */
			return -errno;
		}
		if ((uint64_t)data >= end)
			break;
		off_t hole = lseek(mf->fd, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		uint64_t chunk_end = MIN((uint64_t)hole, end);
		memcpy(mf->base + dst + ((uint64_t)data - src), mf->base + data, chunk_end - (uint64_t)data);
		pos = chunk_end;
	}
	return 0;
}

bool memfile_page_present(struct memfile *mf, uint64_t off)
{
	off_t data = lseek(mf->fd, (off_t)off, SEEK_DATA);
	return data >= 0 && (uint64_t)data < off + PAGE_SIZE;
}

uint64_t memfile_present_bytes(struct memfile *mf, uint64_t off, uint64_t len)
{
	uint64_t pos = off, end = off + len, n = 0;
	while (pos < end) {
		off_t data = lseek(mf->fd, (off_t)pos, SEEK_DATA);
		if (data < 0 || (uint64_t)data >= end)
			break;
		off_t hole = lseek(mf->fd, data, SEEK_HOLE);
		if (hole < 0)
			break;
		uint64_t chunk_end = MIN((uint64_t)hole, end);
		n += chunk_end - (uint64_t)data;
		pos = chunk_end;
	}
	return n;
}

uint32_t memfile_page_ref(const struct memfile *mf, uint64_t off)
{
	if (!mf->refs)
		return 0;
	const struct memfile_ref_leaf *l = mf->refs[off / REF_LEAF_BYTES];
	return l ? l->ref[(off % REF_LEAF_BYTES) / PAGE_SIZE] : 0;
}

void memfile_page_ref_inc(struct memfile *mf, uint64_t off)
{
	if (!mf->refs)
		mf->refs = xzalloc(sizeof(*mf->refs) * (mf->reserve / REF_LEAF_BYTES + 1));
	struct memfile_ref_leaf **lp = &mf->refs[off / REF_LEAF_BYTES];
	if (!*lp)
		*lp = xzalloc(sizeof(**lp));
	if ((*lp)->ref[(off % REF_LEAF_BYTES) / PAGE_SIZE]++ == 0)
		(*lp)->nonzero++;
}

uint32_t memfile_page_ref_dec(struct memfile *mf, uint64_t off)
{
	struct memfile_ref_leaf **lp = mf->refs ? &mf->refs[off / REF_LEAF_BYTES] : NULL;
	if (!lp || !*lp)
		return 0;
	uint32_t *r = &(*lp)->ref[(off % REF_LEAF_BYTES) / PAGE_SIZE];
	if (*r == 0)
		return 0;
	uint32_t left = --*r;
	if (left == 0 && --(*lp)->nonzero == 0) {
		free(*lp);
		*lp = NULL;
	}
	return left;
}

uint64_t memfile_next_ref(const struct memfile *mf, uint64_t off, uint64_t end)
{
	if (!mf->refs)
		return end;
	for (uint64_t o = off; o < end;) {
		const struct memfile_ref_leaf *l = mf->refs[o / REF_LEAF_BYTES];
		if (!l) {
			o = ALIGN_DOWN(o, REF_LEAF_BYTES) + REF_LEAF_BYTES;
			continue;
		}
		if (l->ref[(o % REF_LEAF_BYTES) / PAGE_SIZE])
			return o;
		o += PAGE_SIZE;
	}
	return end;
}

int memfile_next_data(struct memfile *mf, uint64_t off, uint64_t end, uint64_t *dstart, uint64_t *dend)
{
	if (off >= end)
		return 0;
	off_t data = lseek(mf->fd, (off_t)off, SEEK_DATA);
	if (data < 0)
		return errno == ENXIO ? 0 : -errno;
	if ((uint64_t)data >= end)
		return 0;
	off_t hole = lseek(mf->fd, data, SEEK_HOLE);
	if (hole < 0)
		return -errno;
	*dstart = (uint64_t)data;
	*dend = MIN((uint64_t)hole, end);
	return 1;
}
