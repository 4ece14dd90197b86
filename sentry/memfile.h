/* The memory file: one memfd that backs all application memory. The sentry
 * maps all of it once (a large MAP_NORESERVE reservation) and reads/writes
 * application memory through that mapping; platforms map ranges of it into
 * application address spaces. Free space is handed out in page multiples. */
#ifndef SENTRY_MEMFILE_H
#define SENTRY_MEMFILE_H

#include <stdbool.h>
#include <stdint.h>

struct memfile_extent;

struct memfile {
	int fd;
	uint8_t *base;          /* sentry mapping of offsets [0, reserve) */
	uint64_t reserve;       /* size of the sentry mapping */
	uint64_t size;          /* current file size */
	struct memfile_extent *free_list; /* sorted, coalesced */
	uint64_t allocated;     /* bytes handed out (accounting) */
	/* Per-page reference counts (memfile_page_ref): a sparse two-level
	 * table, leaves of MEMFILE_REF_LEAF pages made on first use. */
	struct memfile_ref_leaf **refs;
};

#define MEMFILE_REF_LEAF 1024

int memfile_init(struct memfile *mf, uint64_t reserve);
void memfile_destroy(struct memfile *mf);
/* Allocates len bytes (page multiple) of zeroed file space. */
int memfile_alloc(struct memfile *mf, uint64_t len, uint64_t *off);
/* Returns space; its pages are released to the host (hole punched). */
void memfile_free(struct memfile *mf, uint64_t off, uint64_t len);
/* Zeroes and releases the pages of a range that stays allocated. */
void memfile_decommit(struct memfile *mf, uint64_t off, uint64_t len);
/* Copies src..+len to dst..+len, skipping holes so untouched pages stay
 * unallocated. */
int memfile_copy(struct memfile *mf, uint64_t dst, uint64_t src, uint64_t len);
/* Whether the page at off has been touched (is not a hole): mincore. */
bool memfile_page_present(struct memfile *mf, uint64_t off);
/* Bytes of [off, off+len) that are not holes. */
uint64_t memfile_present_bytes(struct memfile *mf, uint64_t off, uint64_t len);
/* Reference counts of single pages, for copy-on-write sharing across fork
 * (sentry/mm.c: how many address spaces borrow the page). 0 for a page
 * nobody counts. */
uint32_t memfile_page_ref(const struct memfile *mf, uint64_t off);
void memfile_page_ref_inc(struct memfile *mf, uint64_t off);
/* Returns the count left. */
uint32_t memfile_page_ref_dec(struct memfile *mf, uint64_t off);
/* The first page in [off, end) with a nonzero count, or end. */
uint64_t memfile_next_ref(const struct memfile *mf, uint64_t off, uint64_t end);
/* The first run of pages that are not holes in [off, end): 1 with
 * [*dstart, *dend) set, 0 if only holes remain, -errno. */
int memfile_next_data(struct memfile *mf, uint64_t off, uint64_t end, uint64_t *dstart, uint64_t *dend);
static inline void *memfile_ptr(struct memfile *mf, uint64_t off) { return mf->base + off; }

#endif
