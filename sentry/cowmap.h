/* Copy-on-write page maps: which pages of a private memory-file range are
 * borrowed from other ranges after fork (sentry/mm.c has the rules).
 *
 * A cow_map is indexed by page within its range. An entry says that the
 * page's contents are the memory-file page at off, which belongs to range
 * src and may be borrowed by other address spaces too; a page without an
 * entry is the range's own page. The map is sparse (two levels: leaves of
 * COW_LEAF_PAGES entries allocated on first use), so a large mostly
 * untouched reservation costs a small directory. Pure bookkeeping: the
 * reference counts are the caller's (unit-tested). */
#ifndef SENTRY_COWMAP_H
#define SENTRY_COWMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mf_range;

#define COW_LEAF_PAGES 512

struct cow_ent {
	struct mf_range *src;   /* NULL: no entry */
	uint64_t off;           /* memory-file offset of the page */
	/* The holder, last of the page's borrowers, has it mapped writable:
	 * a write fault on it is no copy-on-write fault. */
	bool mapped_rw;
};

struct cow_leaf {
	unsigned int count;     /* entries set */
	struct cow_ent e[COW_LEAF_PAGES];
};

struct cow_map {
	uint64_t npages;
	uint64_t count;         /* entries set in the whole map */
	struct cow_leaf **leaves;
};

struct cow_map *cow_map_new(uint64_t npages);
/* Frees the map; the caller has dropped what the entries hold. */
void cow_map_free(struct cow_map *m);
/* The entry of page idx, or NULL if the page is the range's own. */
struct cow_ent *cow_map_lookup(const struct cow_map *m, uint64_t idx);
void cow_map_set(struct cow_map *m, uint64_t idx, struct mf_range *src, uint64_t off);
void cow_map_clear(struct cow_map *m, uint64_t idx);
/* The first page in [from, to) with an entry, or to if none. */
uint64_t cow_map_next(const struct cow_map *m, uint64_t from, uint64_t to);
/* The first page in [from, to) without an entry, or to if none. */
uint64_t cow_map_next_own(const struct cow_map *m, uint64_t from, uint64_t to);
/* Entries in [from, to). */
uint64_t cow_map_count(const struct cow_map *m, uint64_t from, uint64_t to);

#endif
