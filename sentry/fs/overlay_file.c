/* Open overlay files. A regular file is a thin layer over a file of its
 * real inode (opened at open time: the upper copy when opened for
 * writing, else whichever layer holds it), so a file opened read-only
 * before a copy-up keeps reading the lower data, as in overlayfs.
 *
 * Directories: "." and ".." come from the overlay; a directory in one
 * layer only is listed straight from it; a merged one from a snapshot of
 * both layers taken when the listing starts (position 0), upper entries
 * first, then lower ones not shadowed or whited out. Positions in the
 * snapshot stay valid while the directory changes, as overlayfs' readdir
 * cache; unlike it, entries removed since are skipped (new ones wait for a
 * rewind, which POSIX allows). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "runsc/util.h"
#include "sentry/fs/overlay_impl.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/vfs/vfs_impl.h"

/* ---- regular files ---- */

static struct file *RF(struct file *f)
{
	return f->priv;
}

struct file *overlay_real_file(struct file *f)
{
	if (!f->inode || !inode_is_overlay(f->inode) || !S_ISREG(f->inode->mode))
		return NULL;
	return RF(f);
}

static ssize_t ovl_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct file *rf = RF(f);
	ssize_t n;

	if (!rf->ops->read)
		return -EINVAL;
	n = rf->ops->read(rf, t, buf, len, pos);
	ovl_copyattr(f->inode);
	return n;
}

static ssize_t ovl_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos)
{
	struct file *rf = RF(f);
	ssize_t n;

	if (!rf->ops->write)
		return -EINVAL;
	n = rf->ops->write(rf, t, buf, len, pos);
	ovl_copyattr(f->inode);
	return n;
}

static int64_t ovl_llseek(struct file *f, int64_t off, int whence)
{
	struct file *rf = RF(f);
	int64_t r;

	if (!rf->ops->llseek)
		return -ESPIPE;
	rf->pos = f->pos;
	r = rf->ops->llseek(rf, off, whence);
	if (r >= 0)
		f->pos = r;
	return r;
}

static long ovl_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct file *rf = RF(f);

	return rf->ops->ioctl ? rf->ops->ioctl(rf, t, cmd, arg) : -ENOTTY;
}

static unsigned int ovl_poll(struct file *f, struct task *t, unsigned int events)
{
	struct file *rf = RF(f);

	return rf->ops->poll ? rf->ops->poll(rf, t, events)
			     : POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int ovl_file_getattr(struct file *f, struct stat *st)
{
	struct file *rf = RF(f);
	struct stat rst;
	int rc;

	/* Refresh the real inode (host files change size under goferfs),
	 * then report it with the overlay's device and inode number. */
	if (rf->ops->getattr && (rc = rf->ops->getattr(rf, &rst)) < 0)
		return rc;
	ovl_copyattr(f->inode);
	inode_fill_stat(f->inode, st);
	return 0;
}

static void ovl_release(struct file *f)
{
	file_put(RF(f));
	f->priv = NULL;
}

static int ovl_fsync(struct file *f, bool datasync)
{
	return vfs_fsync(RF(f), datasync);
}

static int ovl_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct file *rf = RF(f);
	int rc;

	if (!rf->ops->fallocate)
		return -EOPNOTSUPP;
	rc = rf->ops->fallocate(rf, mode, off, len);
	ovl_copyattr(f->inode);
	return rc;
}

/* The real file's page cache; the mm then maps through the real file
 * itself (overlay_real_file), as Linux's ovl_mmap sets vm_file. */
static int ovl_mmap(struct file *f, struct pagecache **out)
{
	struct file *rf = RF(f);

	if (!rf->ops->mmap)
		return -ENODEV;
	return rf->ops->mmap(rf, out);
}

const struct file_ops ovl_reg_fops = {
	.read = ovl_read,
	.write = ovl_write,
	.llseek = ovl_llseek,
	.ioctl = ovl_ioctl,
	.poll = ovl_poll,
	.getattr = ovl_file_getattr,
	.release = ovl_release,
	.fsync = ovl_fsync,
	.fallocate = ovl_fallocate,
	.mmap = ovl_mmap,
};

/* ---- directories ---- */

struct ovl_entry {
	char *name;
	int len;
	uint64_t ino;
	unsigned int dtype;
	bool upper;                 /* listed from the upper layer */
	struct ovl_entry *hnext;
	uint64_t hash;
};

struct ovl_dir_file {
	struct file *real;          /* single-layer directory: its file */
	struct ovl_entry **entries; /* merged: the snapshot */
	size_t n, cap;
	bool cached;
	/* Names seen while building the snapshot (whiteouts included). */
	struct ovl_entry **seen;
	size_t nseen_buckets;
};

static void snapshot_free(struct ovl_dir_file *df)
{
	for (size_t i = 0; i < df->n; i++) {
		free(df->entries[i]->name);
		free(df->entries[i]);
	}
	free(df->entries);
	free(df->seen);
	df->entries = NULL;
	df->seen = NULL;
	df->nseen_buckets = 0;
	df->n = df->cap = 0;
	df->cached = false;
}

static struct ovl_entry *seen_find(struct ovl_dir_file *df, const char *name, int len, uint64_t h)
{
	for (struct ovl_entry *e = df->seen[h & (df->nseen_buckets - 1)]; e; e = e->hnext) {
		if (e->hash == h && e->len == len && memcmp(e->name, name, (size_t)len) == 0)
			return e;
	}
	return NULL;
}

static void snapshot_grow_seen(struct ovl_dir_file *df)
{
	size_t n = df->nseen_buckets ? df->nseen_buckets * 2 : 64;

	free(df->seen);
	df->seen = xzalloc(n * sizeof(*df->seen));
	df->nseen_buckets = n;
	for (size_t i = 0; i < df->n; i++) {
		struct ovl_entry *e = df->entries[i];
		size_t b = e->hash & (n - 1);

		e->hnext = df->seen[b];
		df->seen[b] = e;
	}
}

/* Adds an entry (visible or not: whiteouts are remembered, not listed). */
static void snapshot_add(struct ovl_dir_file *df, const char *name, int len, uint64_t ino,
			 unsigned int dtype, bool upper)
{
	struct ovl_entry *e = xzalloc(sizeof(*e));
	size_t b;

	e->name = xmalloc((size_t)len + 1);
	memcpy(e->name, name, (size_t)len);
	e->name[len] = '\0';
	e->len = len;
	e->ino = ino;
	e->dtype = dtype;
	e->upper = upper;
	e->hash = XXH3_64bits(name, (size_t)len);
	if (df->n == df->cap) {
		df->cap = df->cap ? df->cap * 2 : 32;
		df->entries = xrealloc(df->entries, df->cap * sizeof(*df->entries));
	}
	df->entries[df->n++] = e;
	if (df->n > df->nseen_buckets) {
		snapshot_grow_seen(df);
	} else {
		b = e->hash & (df->nseen_buckets - 1);
		e->hnext = df->seen[b];
		df->seen[b] = e;
	}
}

/* Whiteouts carry this type in the snapshot and are skipped. */
#define DT_OVL_WHITEOUT 0x100

static int add_upper(const char *name, struct inode *ino, void *arg)
{
	snapshot_add(arg, name, (int)strlen(name), ino->ino,
		     ovl_is_whiteout(ino) ? DT_OVL_WHITEOUT : IFTODT(ino->mode), true);
	return 0;
}

static int add_lower(const char *name, int len, uint64_t ino, unsigned int dtype, void *arg)
{
	struct ovl_dir_file *df = arg;

	if (!seen_find(df, name, len, XXH3_64bits(name, (size_t)len)))
		snapshot_add(df, name, len, ino, dtype, false);
	return 0;
}

static int snapshot_build(struct ovl_dir_file *df, struct inode *dir)
{
	int rc;

	snapshot_free(df);
	snapshot_grow_seen(df);
	if ((rc = tmpfs_dir_for_each(OI(dir)->upper, add_upper, df)) < 0 ||
	    (rc = ovl_layer_readdir(OI(dir)->lower, add_lower, df)) < 0) {
		snapshot_free(df);
		return rc;
	}
	df->cached = true;
	return 0;
}

/* Has a snapshot entry been removed since? New names are not listed
 * until a rewind, but removed ones never show again: the upper layer
 * (in memory, so cheap to ask) tells, as every removal changes it. */
static bool still_there(struct inode *dir, const struct ovl_entry *e)
{
	struct inode *u = OI(dir)->upper, *child;
	bool there;

	if (!u || u->iops->lookup(u, e->name, &child) < 0)
		return !e->upper;
	there = !ovl_is_whiteout(child);
	inode_put(child);
	return there;
}

int ovl_dir_open(struct inode *ino, struct file *f)
{
	f->priv = xzalloc(sizeof(struct ovl_dir_file));
	return 0;
}

static bool merged(struct inode *dir)
{
	return OI(dir)->upper && OI(dir)->lower;
}

static int ovl_iterate(struct file *f, struct dir_context *ctx)
{
	struct ovl_dir_file *df = f->priv;
	struct inode *dir = f->inode;
	int rc;

	if (ctx->pos < 0)
		return -EINVAL;
	if (ctx->pos == 0) {
		/* A rewind starts a fresh listing. */
		snapshot_free(df);
		if (df->real) {
			file_put(df->real);
			df->real = NULL;
		}
	}
	if (!dir_emit_dots(f, ctx))
		return 0;
	/* The kind of listing is chosen when it starts: a directory that
	 * gets copied up meanwhile goes on being listed as it was. */
	if (df->real || (!df->cached && !merged(dir))) {
		/* One layer: its own positions (past its "." and ".."), which
		 * are stable where the layer's are. */
		if (!df->real && (rc = ovl_open_real(ovl_real(dir), O_RDONLY | O_DIRECTORY, &df->real)) < 0)
			return rc;
		if (!df->real->ops->iterate)
			return -ENOTDIR;
		return df->real->ops->iterate(df->real, ctx);
	}
	if (!df->cached && (rc = snapshot_build(df, dir)) < 0)
		return rc;
	for (size_t i = (size_t)ctx->pos - 2; i < df->n; i++) {
		struct ovl_entry *e = df->entries[i];

		if (e->dtype != DT_OVL_WHITEOUT && still_there(dir, e) &&
		    !ctx->actor(ctx, e->name, e->len, (int64_t)i + 3, e->ino, e->dtype))
			return 0;
		ctx->pos = (int64_t)i + 3;
	}
	return 0;
}

static unsigned int ovl_dir_poll(struct file *f, struct task *t, unsigned int events)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int ovl_dir_getattr(struct file *f, struct stat *st)
{
	struct inode *real = ovl_real(f->inode);
	int rc;

	if (real->iops && real->iops->getattr && (rc = real->iops->getattr(real)) < 0)
		return rc;
	ovl_copyattr(f->inode);
	inode_fill_stat(f->inode, st);
	return 0;
}

static void ovl_dir_release(struct file *f)
{
	struct ovl_dir_file *df = f->priv;

	if (!df)
		return;
	snapshot_free(df);
	if (df->real)
		file_put(df->real);
	free(df);
	f->priv = NULL;
}

static int ovl_dir_fsync(struct file *f, bool datasync)
{
	return 0;
}

const struct file_ops ovl_dir_fops = {
	.llseek = dcache_dir_llseek,
	.iterate = ovl_iterate,
	.poll = ovl_dir_poll,
	.getattr = ovl_dir_getattr,
	.release = ovl_dir_release,
	.fsync = ovl_dir_fsync,
};
