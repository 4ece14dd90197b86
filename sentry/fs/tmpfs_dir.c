/* tmpfs directories: entries found by name through a hash table and listed
 * in position order. Every entry gets the next position of its directory
 * when it is added and keeps it, so a getdents offset (the position after
 * the last entry returned) stays valid whatever is created or removed
 * meanwhile: a listing never repeats nor skips an entry that exists from
 * start to end (as Linux's stable tmpfs offsets since 6.6). Positions 0 and
 * 1 are "." and "..". */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "runsc/util.h"
#include "sentry/fs/tmpfs_impl.h"
#include "sentry/vfs/vfs_impl.h"

#define FIRST_POS 2
_Static_assert(FIRST_POS == 2, "entries follow dir_emit_dots's . and ..");

void tmpfs_dir_init(struct tmpfs_dir *d)
{
	memset(d, 0, sizeof(*d));
	d->next_pos = FIRST_POS;
}

static void dirent_free(struct tmpfs_dirent *e)
{
	free(e->name);
	free(e);
}

void tmpfs_dir_destroy(struct tmpfs_dir *d)
{
	for (size_t i = 0; i < d->npos; i++) {
		inode_put(d->by_pos[i]->ino);
		dirent_free(d->by_pos[i]);
	}
	free(d->by_pos);
	free(d->buckets);
	memset(d, 0, sizeof(*d));
}

static uint64_t name_hash(const char *name, size_t len)
{
	return XXH3_64bits(name, len);
}

static void bucket_link(struct tmpfs_dir *d, struct tmpfs_dirent *e)
{
	size_t b = e->hash & (d->nbuckets - 1);

	e->hnext = d->buckets[b];
	d->buckets[b] = e;
}

static void bucket_unlink(struct tmpfs_dir *d, struct tmpfs_dirent *e)
{
	struct tmpfs_dirent **pp = &d->buckets[e->hash & (d->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	e->hnext = NULL;
}

static void buckets_grow(struct tmpfs_dir *d)
{
	size_t n = d->nbuckets ? d->nbuckets * 2 : 8;

	free(d->buckets);
	d->buckets = xzalloc(n * sizeof(*d->buckets));
	d->nbuckets = n;
	for (size_t i = 0; i < d->npos; i++) {
		if (d->by_pos[i]->ino)
			bucket_link(d, d->by_pos[i]);
	}
}

struct tmpfs_dirent *tmpfs_dir_find(struct tmpfs_dir *d, const char *name)
{
	size_t len = strlen(name);
	uint64_t h = name_hash(name, len);

	if (!d->nbuckets)
		return NULL;
	for (struct tmpfs_dirent *e = d->buckets[h & (d->nbuckets - 1)]; e; e = e->hnext) {
		if (e->hash == h && e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

/* Drops tombstones once they are the majority; positions do not change. */
static void compact(struct tmpfs_dir *d)
{
	size_t j = 0;

	if (d->npos < 16 || d->nlive * 2 > d->npos)
		return;
	for (size_t i = 0; i < d->npos; i++) {
		if (d->by_pos[i]->ino)
			d->by_pos[j++] = d->by_pos[i];
		else
			dirent_free(d->by_pos[i]);
	}
	d->npos = j;
}

void tmpfs_dir_add(struct tmpfs_dir *d, const char *name, struct inode *ino)
{
	struct tmpfs_dirent *e = xzalloc(sizeof(*e));

	e->len = strlen(name);
	e->name = xstrdup(name);
	e->hash = name_hash(name, e->len);
	e->pos = d->next_pos++;
	e->ino = ino;
	compact(d);
	if (d->npos == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->by_pos = xrealloc(d->by_pos, d->cap * sizeof(*d->by_pos));
	}
	d->by_pos[d->npos++] = e;
	d->nlive++;
	if (d->nlive > d->nbuckets)
		buckets_grow(d);
	else
		bucket_link(d, e);
}

struct inode *tmpfs_dir_remove(struct tmpfs_dir *d, struct tmpfs_dirent *e)
{
	struct inode *ino = e->ino;

	bucket_unlink(d, e);
	e->ino = NULL; /* a tombstone: its position stays taken */
	d->nlive--;
	return ino;
}

/* The index in by_pos of the first entry at or after pos. */
static size_t index_of_pos(struct tmpfs_dir *d, uint64_t pos)
{
	size_t lo = 0, hi = d->npos;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->by_pos[mid]->pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static unsigned int dtype_of(const struct inode *ino)
{
	return (ino->mode & S_IFMT) >> 12;
}

static int tmpfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct inode *dir = f->inode;
	struct tmpfs_dir *d = &TI(dir)->dir;

	if (ctx->pos < 0)
		return -EINVAL;
	if (!dir_emit_dots(f, ctx))
		return 0;
	/* The actor never changes the directory, so indexes hold here. */
	for (size_t i = index_of_pos(d, (uint64_t)ctx->pos); i < d->npos; i++) {
		struct tmpfs_dirent *e = d->by_pos[i];

		if (!e->ino)
			continue;
		if (!ctx->actor(ctx, e->name, (int)e->len, (int64_t)e->pos + 1, e->ino->ino, dtype_of(e->ino)))
			return 0;
		ctx->pos = (int64_t)e->pos + 1;
	}
	/* At the end: later entries get larger positions. */
	ctx->pos = (int64_t)MAX((uint64_t)ctx->pos, d->next_pos);
	return 0;
}

static unsigned int tmpfs_dir_poll(struct file *f, struct task *t, unsigned int events)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int tmpfs_dir_fsync(struct file *f, bool datasync)
{
	return 0;
}

const struct file_ops tmpfs_dir_fops = {
	.llseek = dcache_dir_llseek,
	.iterate = tmpfs_iterate,
	.poll = tmpfs_dir_poll,
	.fsync = tmpfs_dir_fsync,
};

int tmpfs_dir_for_each(struct inode *dir, int (*fn)(const char *name, struct inode *ino, void *arg),
		       void *arg)
{
	struct tmpfs_dir *d = &TI(dir)->dir;
	int rc;

	if (!S_ISDIR(dir->mode) || !inode_is_tmpfs(dir))
		return -ENOTDIR;
	/* fn may remove the entry it is given (tombstones keep indexes). */
	for (size_t i = 0; i < d->npos; i++) {
		struct tmpfs_dirent *e = d->by_pos[i];

		if (e->ino && (rc = fn(e->name, e->ino, arg)) != 0)
			return rc;
	}
	return 0;
}

size_t tmpfs_dir_count(struct inode *dir)
{
	return TI(dir)->dir.nlive;
}
