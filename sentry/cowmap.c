/* Copy-on-write page maps: a two-level sparse array of entries. */
#include <stdlib.h>

#include "runsc/util.h"
#include "sentry/cowmap.h"

struct cow_map *cow_map_new(uint64_t npages)
{
	struct cow_map *m = xzalloc(sizeof(*m));
	m->npages = npages;
	m->leaves = xzalloc(sizeof(*m->leaves) * ((npages + COW_LEAF_PAGES - 1) / COW_LEAF_PAGES + 1));
	return m;
}

void cow_map_free(struct cow_map *m)
{
	if (!m)
		return;
	for (uint64_t i = 0; i * COW_LEAF_PAGES < m->npages; i++)
		free(m->leaves[i]);
	free(m->leaves);
	free(m);
}

struct cow_ent *cow_map_lookup(const struct cow_map *m, uint64_t idx)
{
	if (!m || idx >= m->npages)
		return NULL;
	struct cow_leaf *l = m->leaves[idx / COW_LEAF_PAGES];
	if (!l)
		return NULL;
	struct cow_ent *e = &l->e[idx % COW_LEAF_PAGES];
	return e->src ? e : NULL;
}

void cow_map_set(struct cow_map *m, uint64_t idx, struct mf_range *src, uint64_t off)
{
	struct cow_leaf **lp = &m->leaves[idx / COW_LEAF_PAGES];
	if (!*lp)
		*lp = xzalloc(sizeof(**lp));
	struct cow_ent *e = &(*lp)->e[idx % COW_LEAF_PAGES];
	if (!e->src) {
		(*lp)->count++;
		m->count++;
	}
	e->src = src;
	e->off = off;
	e->mapped_rw = false;
}

void cow_map_clear(struct cow_map *m, uint64_t idx)
{
	struct cow_leaf **lp = &m->leaves[idx / COW_LEAF_PAGES];
	if (!*lp || !(*lp)->e[idx % COW_LEAF_PAGES].src)
		return;
	(*lp)->e[idx % COW_LEAF_PAGES].src = NULL;
	m->count--;
	if (--(*lp)->count == 0) {
		free(*lp);
		*lp = NULL;
	}
}

uint64_t cow_map_next(const struct cow_map *m, uint64_t from, uint64_t to)
{
	if (!m || !m->count)
		return to;
	uint64_t lim = MIN(to, m->npages);
	for (uint64_t i = from; i < lim;) {
		const struct cow_leaf *l = m->leaves[i / COW_LEAF_PAGES];
		if (!l) {
			i = ALIGN_DOWN(i, COW_LEAF_PAGES) + COW_LEAF_PAGES;
			continue;
		}
		if (l->e[i % COW_LEAF_PAGES].src)
			return i;
		i++;
	}
	return to;
}

uint64_t cow_map_next_own(const struct cow_map *m, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++)
		if (!cow_map_lookup(m, i))
			return i;
	return to;
}

uint64_t cow_map_count(const struct cow_map *m, uint64_t from, uint64_t to)
{
	uint64_t n = 0;
	for (uint64_t i = cow_map_next(m, from, to); i < to; i = cow_map_next(m, i + 1, to))
		n++;
	return n;
}
