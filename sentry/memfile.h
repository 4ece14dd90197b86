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
};

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
static inline void *memfile_ptr(struct memfile *mf, uint64_t off) { return mf->base + off; }

#endif
