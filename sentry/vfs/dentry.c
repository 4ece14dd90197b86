/* The dentry cache: one global hash table of (parent, name) -> dentry.
 *
 * A child holds a reference on its parent, so a directory stays cached
 * while anything below it is. The table itself holds no reference: a
 * dentry whose last reference goes stays hashed on the unused (LRU) list,
 * and the oldest unused ones are freed past DCACHE_MAX_UNUSED. That bounds
 * what the cache pins, notably gofer fids (one host O_PATH fd each in the
 * gofer). Negative dentries (inode NULL) remember names the filesystem said
 * do not exist, which saves a gofer round trip for every PATH search. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "runsc/util.h"
#include "sentry/fsnotify.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#define DCACHE_MAX_UNUSED 1024
#define DCACHE_MIN_BUCKETS 256

static struct dentry **buckets;
static size_t nbuckets;
static size_t nhashed;
static struct list_head unused = LIST_HEAD_INIT(unused);
static size_t nunused;

static uint64_t d_hash(const struct dentry *parent, const char *name, size_t len)
{
	return XXH3_64bits_withSeed(name, len, (uint64_t)(uintptr_t)parent);
}

static void hash_link(struct dentry *d)
{
	size_t i = d->hash & (nbuckets - 1);

	d->hash_next = buckets[i];
	buckets[i] = d;
}

static void hash_grow(void)
{
	struct dentry **old = buckets;
	size_t oldn = nbuckets;

	nbuckets = oldn ? oldn * 2 : DCACHE_MIN_BUCKETS;
	buckets = xzalloc(nbuckets * sizeof(*buckets));
	for (size_t i = 0; i < oldn; i++) {
		struct dentry *d = old[i], *next;

		for (; d; d = next) {
			next = d->hash_next;
			hash_link(d);
		}
	}
	free(old);
}

static void hash_insert(struct dentry *d)
{
	if (nhashed >= nbuckets)
		hash_grow();
	hash_link(d);
	d->hashed = true;
	nhashed++;
}

static void hash_remove(struct dentry *d)
{
	struct dentry **pp = &buckets[d->hash & (nbuckets - 1)];

	for (; *pp; pp = &(*pp)->hash_next) {
		if (*pp == d) {
			*pp = d->hash_next;
			break;
		}
	}
	d->hash_next = NULL;
	d->hashed = false;
	nhashed--;
}

static struct dentry *hash_find(struct dentry *parent, const char *name, size_t len, uint64_t h)
{
	if (!nbuckets)
		return NULL;
	for (struct dentry *d = buckets[h & (nbuckets - 1)]; d; d = d->hash_next) {
		if (d->parent == parent && d->hash == h && d->namelen == len &&
		    memcmp(d->name, name, len) == 0)
			return d;
	}
	return NULL;
}

static struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d = xzalloc(sizeof(*d));

	d->refcount = 1;
	d->name = xmalloc(len + 1);
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	d->namelen = len;
	d->parent = parent ? dentry_get(parent) : d;
	list_init(&d->lru);
	return d;
}

struct dentry *d_make_root(struct inode *ino)
{
	struct dentry *d = d_alloc(NULL, "/", 1);

	d->inode = inode_get(ino);
	return d;
}

/* Frees an unreferenced dentry; returns its parent, whose reference the
 * caller now has to drop (NULL for a root). */
static struct dentry *d_free(struct dentry *d)
{
	struct dentry *parent = d_is_root(d) ? NULL : d->parent;

	if (d->hashed)
		hash_remove(d);
	if (list_linked(&d->lru)) {
		list_del(&d->lru);
		nunused--;
	}
	fsnotify_d_free(d);
	inode_put(d->inode);
	free(d->name);
	free(d);
	return parent;
}

static bool d_cacheable(const struct dentry *d)
{
	const struct inode *ino = d->inode ? d->inode : d->parent->inode;

	return d->hashed && !(ino->sb->flags & SB_NO_DCACHE);
}

/* Drops one reference without pruning (prune itself calls this). */
static void __dput(struct dentry *d)
{
	while (d) {
		if (--d->refcount > 0)
			return;
		if (d_cacheable(d)) {
			/* A watched inode keeps its names cached: a filesystem
			 * that makes a new inode per lookup (goferfs) would
			 * otherwise lose the watch with the dentry. gVisor
			 * keeps watched dentries too. d_unpin_inode() puts
			 * them back on the list. */
			if (d->inode && fsnotify_inode_watched(d->inode))
				return;
			list_add(&d->lru, &unused);
			nunused++;
			return;
		}
		d = d_free(d);
	}
}

static void dcache_prune(void)
{
	while (nunused > DCACHE_MAX_UNUSED) {
		struct dentry *victim = list_entry(unused.prev, struct dentry, lru);

		__dput(d_free(victim));
	}
}

struct dentry *dentry_get(struct dentry *d)
{
	if (!d)
		return NULL;
	if (d->refcount == 0 && list_linked(&d->lru)) {
		list_del(&d->lru);
		nunused--;
	}
	d->refcount++;
	return d;
}

void dentry_put(struct dentry *d)
{
	if (!d)
		return;
	__dput(d);
	dcache_prune();
}

struct dentry *d_lookup_child(struct dentry *parent, const char *name, size_t len, int *err)
{
	uint64_t h = d_hash(parent, name, len);
	struct dentry *d = hash_find(parent, name, len, h);
	struct inode *dir = parent->inode, *ino = NULL;
	char namez[NAME_MAX_LEN + 1];
	int rc;

	if (d) {
		struct inode *ci = d->inode;

		if (!ci || !ci->iops || !ci->iops->revalidate || ci->iops->revalidate(ci))
			return dentry_get(d);
		/* Stale (procfs: the process is gone): a fresh lookup decides. */
		d_drop(d);
	}
	if (len > NAME_MAX_LEN) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	if (!dir || !S_ISDIR(dir->mode)) {
		*err = -ENOTDIR;
		return NULL;
	}
	if (dir->iops && dir->iops->lookup) {
		memcpy(namez, name, len);
		namez[len] = '\0';
		rc = dir->iops->lookup(dir, namez, &ino);
		if (rc < 0 && (rc != -ENOENT || (dir->sb->flags & SB_LOOKUP_ENOENT))) {
			*err = rc;
			return NULL;
		}
		if (rc < 0)
			ino = NULL;
	}
	d = d_alloc(parent, name, len);
	d->hash = h;
	d->inode = ino; /* the lookup's reference */
	hash_insert(d);
	return d;
}

struct dentry *d_lookup_cached(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d = hash_find(parent, name, len, d_hash(parent, name, len));

	/* A dentry that must be revalidated asks its filesystem. */
	if (!d || (d->inode && d->inode->iops && d->inode->iops->revalidate))
		return NULL;
	return dentry_get(d);
}

struct dentry *d_alloc_unhashed(struct dentry *parent, const char *name, struct inode *ino)
{
	struct dentry *d = d_alloc(parent, name, strlen(name));

	d->inode = inode_get(ino);
	return d;
}

void d_instantiate(struct dentry *d, struct inode *ino)
{
	inode_put(d->inode);
	d->inode = inode_get(ino);
}

void d_drop(struct dentry *d)
{
	if (!d->hashed)
		return;
	hash_remove(d);
	/* An unused dentry is only kept for the table: free it now. */
	if (d->refcount == 0)
		__dput(d_free(d));
}

void d_move(struct dentry *d, struct dentry *newparent, const char *name, size_t len)
{
	uint64_t h = d_hash(newparent, name, len);
	struct dentry *victim = hash_find(newparent, name, len, h);
	struct dentry *oldparent = d->parent;

	if (victim && victim != d)
		d_drop(victim);
	if (d->hashed)
		hash_remove(d);
	if (newparent != oldparent) {
		d->parent = dentry_get(newparent);
		__dput(oldparent);
	}
	free(d->name);
	d->name = xmalloc(len + 1);
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	d->namelen = len;
	d->hash = h;
	hash_insert(d);
	dcache_prune();
}

void d_prune_unused_children(struct dentry *parent)
{
	_cleanup_free_ struct dentry **victims = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < nbuckets; i++) {
		for (struct dentry *d = buckets[i]; d; d = d->hash_next) {
			if (d->parent != parent || d == parent || d->refcount)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				victims = xrealloc(victims, cap * sizeof(*victims));
			}
			victims[n++] = d;
		}
	}
	/* Freeing one never frees another: each holds parent, which the
	 * caller holds too. */
	for (size_t i = 0; i < n; i++)
		d_drop(victims[i]);
}

void d_unpin_inode(struct inode *ino)
{
	bool any = false;

	for (size_t i = 0; i < nbuckets; i++) {
		for (struct dentry *d = buckets[i]; d; d = d->hash_next) {
			if (d->inode != ino || d->refcount || list_linked(&d->lru))
				continue;
			list_add(&d->lru, &unused);
			nunused++;
			any = true;
		}
	}
	if (any)
		dcache_prune();
}

size_t dcache_count(void)
{
	return nhashed;
}

void path_get(struct path *p)
{
	mnt_get(p->mnt);
	dentry_get(p->dentry);
}

void path_put(struct path *p)
{
	dentry_put(p->dentry);
	mnt_put(p->mnt);
}
