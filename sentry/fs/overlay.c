/* The root overlay, after Linux's overlayfs: an overlay inode stands for
 * an upper inode (tmpfs, writable), a lower one (read-only), or both.
 *
 * - Lookup looks in the upper directory first. A whiteout there (a 0/0
 *   character device) hides the lower name; an upper non-directory hides
 *   it too; an upper directory is merged with the lower one of the same
 *   name unless it is opaque (trusted.overlay.opaque=y).
 * - Changing anything copies it up first (overlay_copyup.c): the upper
 *   layer gets the parents, then the file with its data, owner, mode,
 *   times and xattrs. Opening a file for writing (or with O_TRUNC) copies
 *   it up; reading never does.
 * - Removing a name that exists in the lower layer leaves a whiteout;
 *   rmdir of a merged directory that looks empty first drops the
 *   whiteouts in it; a directory made where a whiteout was is opaque.
 * - Renaming a directory that has anything in the lower layer is EXDEV
 *   (overlayfs without redirect_dir; mv falls back to copying). Files
 *   and upper-only directories rename freely; the old name gets a
 *   whiteout when the lower layer has it.
 * - Inode numbers come from the lower layer and survive copy-up (the
 *   upper inode takes the lower number; upper-only inodes are numbered
 *   from 2^56 up), and st_dev is the overlay's for every file (xino). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <xxhash.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/overlay_impl.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/vfs/vfs_impl.h"
#include "sentry/vfs/xattr.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

/* Upper-only inodes are numbered from here, clear of the lower layer's
 * (host inode numbers, and goferfs' remapped ones from 2^48). */
#define OVL_UPPER_INO_BASE (1ULL << 56)

/* ---- the name cache ---- */

static struct ovl_name **ncache;
static size_t ncache_buckets, ncache_count;

static uint64_t name_hash(const struct inode *dir, const char *name)
{
	return XXH3_64bits_withSeed(name, strlen(name), (uint64_t)(uintptr_t)dir);
}

static void ncache_link(struct ovl_name *e)
{
	size_t b = e->hash & (ncache_buckets - 1);

	e->hnext = ncache[b];
	ncache[b] = e;
}

static void ncache_grow(void)
{
	struct ovl_name **old = ncache;
	size_t oldn = ncache_buckets;

	ncache_buckets = oldn ? oldn * 2 : 256;
	ncache = xzalloc(ncache_buckets * sizeof(*ncache));
	for (size_t i = 0; i < oldn; i++) {
		for (struct ovl_name *e = old[i], *next; e; e = next) {
			next = e->hnext;
			ncache_link(e);
		}
	}
	free(old);
}

static struct ovl_name *ncache_find(struct inode *dir, const char *name)
{
	uint64_t h = name_hash(dir, name);

	if (!ncache_buckets)
		return NULL;
	for (struct ovl_name *e = ncache[h & (ncache_buckets - 1)]; e; e = e->hnext) {
		if (e->hash == h && e->dir == dir && strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

static void ncache_add(struct inode *dir, const char *name, struct inode *child)
{
	struct ovl_name *e = xzalloc(sizeof(*e));

	if (ncache_count >= ncache_buckets)
		ncache_grow();
	e->dir = inode_get(dir);
	e->child = child;
	e->name = xstrdup(name);
	e->hash = name_hash(dir, name);
	ncache_link(e);
	ncache_count++;
	e->next_alias = OI(child)->aliases;
	OI(child)->aliases = e;
}

static void ncache_del(struct ovl_name *e)
{
	struct ovl_name **pp;

	for (pp = &ncache[e->hash & (ncache_buckets - 1)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	for (pp = &OI(e->child)->aliases; *pp; pp = &(*pp)->next_alias) {
		if (*pp == e) {
			*pp = e->next_alias;
			break;
		}
	}
	ncache_count--;
	free(e->name);
	inode_put(e->dir); /* may evict the directory, and so on up */
	free(e);
}

static void ncache_forget(struct inode *dir, const char *name)
{
	struct ovl_name *e = ncache_find(dir, name);

	if (e)
		ncache_del(e);
}

struct ovl_name *ovl_first_alias(struct inode *ino)
{
	return OI(ino)->aliases;
}

/* ---- inodes ---- */

bool inode_is_overlay(const struct inode *ino)
{
	return ino->iops == &ovl_iops;
}

struct inode *ovl_real(const struct inode *ino)
{
	return OI(ino)->upper ? OI(ino)->upper : OI(ino)->lower;
}

struct inode *overlay_real_inode(struct inode *ino)
{
	return inode_is_overlay(ino) ? ovl_real(ino) : ino;
}

bool ovl_is_whiteout(const struct inode *ino)
{
	return S_ISCHR(ino->mode) && ino->rdev == makedev(0, 0);
}

static bool upper_is_opaque(struct inode *udir)
{
	char v;

	return udir->iops->getxattr &&
	       udir->iops->getxattr(udir, OVL_XATTR_OPAQUE, &v, 1) == 1 && v == 'y';
}

void ovl_copyattr(struct inode *ino)
{
	struct ovl_inode *oi = OI(ino);
	struct inode *real = ovl_real(ino);

	ino->mode = (ino->mode & S_IFMT) | (real->mode & 07777);
	/* A merged directory's link count means nothing: 1, as overlayfs
	 * (which tells find not to use it). */
	ino->nlink = S_ISDIR(ino->mode) && oi->upper && oi->lower ? 1 : real->nlink;
	ino->uid = real->uid;
	ino->gid = real->gid;
	ino->rdev = real->rdev;
	ino->size = real->size;
	ino->blocks = real->blocks;
	ino->blksize = real->blksize;
	ino->atime = real->atime;
	ino->mtime = real->mtime;
	ino->ctime = real->ctime;
}

/* A new overlay inode over upper and/or lower (their references taken over). */
static struct inode *ovl_inode_new(struct superblock *sb, struct inode *upper, struct inode *lower)
{
	struct inode *real = upper ? upper : lower;
	const struct file_ops *fops = NULL;
	struct ovl_inode *oi;
	struct inode *ino;

	if (S_ISREG(real->mode))
		fops = &ovl_reg_fops;
	else if (S_ISDIR(real->mode))
		fops = &ovl_dir_fops;
	ino = inode_new(sb, real->mode & S_IFMT, &ovl_iops, fops);
	oi = xzalloc(sizeof(*oi));
	oi->upper = upper;
	oi->lower = lower;
	ino->priv = oi;
	ino->ino = lower ? lower->ino : upper->ino;
	ovl_copyattr(ino);
	return ino;
}

static void ovl_evict(struct inode *ino)
{
	struct ovl_inode *oi = OI(ino);

	if (!oi)
		return;
	while (oi->aliases)
		ncache_del(oi->aliases);
	inode_put(oi->upper);
	inode_put(oi->lower);
	free(oi);
	ino->priv = NULL;
}

/* ---- layers ---- */

/* Looks name up in a layer directory: 0 with *out, -ENOENT, or an error. */
static int layer_lookup(struct inode *dir, const char *name, struct inode **out)
{
	*out = NULL;
	if (!dir || !dir->iops || !dir->iops->lookup)
		return -ENOENT;
	return dir->iops->lookup(dir, name, out);
}

/* Does dir's lower layer show name? */
static int lower_has(struct inode *dir, const char *name, bool *has)
{
	struct inode *l;
	int rc = layer_lookup(OI(dir)->lower, name, &l);

	*has = rc == 0;
	inode_put(l);
	return rc == -ENOENT ? 0 : rc;
}

int ovl_open_real(struct inode *real, int flags, struct file **out)
{
	static const struct file_ops no_fops;
	struct file *f = file_alloc(real->fops ? real->fops : &no_fops, flags, NULL);
	int rc;

	f->inode = inode_get(real);
	if (real->iops && real->iops->open && (rc = real->iops->open(real, f)) < 0) {
		f->ops = &no_fops;
		file_put(f);
		return rc;
	}
	*out = f;
	return 0;
}

struct layer_readdir {
	struct dir_context ctx;
	int (*fn)(const char *name, int len, uint64_t ino, unsigned int dtype, void *arg);
	void *arg;
	int rc;
};

static bool layer_actor(struct dir_context *ctx, const char *name, int len, int64_t next_pos,
			uint64_t ino, unsigned int dtype)
{
	struct layer_readdir *lr = container_of(ctx, struct layer_readdir, ctx);

	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	lr->rc = lr->fn(name, len, ino, dtype, lr->arg);
	return lr->rc == 0;
}

struct tmpfs_adapter {
	int (*fn)(const char *name, int len, uint64_t ino, unsigned int dtype, void *arg);
	void *arg;
};

static int tmpfs_adapt(const char *name, struct inode *ino, void *arg)
{
	struct tmpfs_adapter *ta = arg;

	return ta->fn(name, (int)strlen(name), ino->ino, IFTODT(ino->mode), ta->arg);
}

int ovl_layer_readdir(struct inode *dir, int (*fn)(const char *name, int len, uint64_t ino,
						  unsigned int dtype, void *arg),
		      void *arg)
{
	struct layer_readdir lr = { .ctx.actor = layer_actor, .fn = fn, .arg = arg };
	struct file *f;
	int rc;

	if (inode_is_tmpfs(dir)) {
		struct tmpfs_adapter ta = { fn, arg };

		return tmpfs_dir_for_each(dir, tmpfs_adapt, &ta);
	}
	if ((rc = ovl_open_real(dir, O_RDONLY | O_DIRECTORY, &f)) < 0)
		return rc;
	if (!f->ops->iterate) {
		file_put(f);
		return -ENOTDIR;
	}
	for (;;) {
		int64_t before = lr.ctx.pos;

		rc = f->ops->iterate(f, &lr.ctx);
		if (rc < 0 || lr.rc || lr.ctx.pos == before)
			break;
	}
	file_put(f);
	return rc < 0 ? rc : lr.rc;
}

/* ---- lookup and attributes ---- */

static int ovl_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct ovl_inode *od = OI(dir);
	struct ovl_name *e = ncache_find(dir, name);
	struct inode *u = NULL, *l = NULL, *child;
	int rc;

	if (e) {
		*out = inode_get(e->child);
		return 0;
	}
	if (od->upper) {
		rc = layer_lookup(od->upper, name, &u);
		if (rc < 0 && rc != -ENOENT)
			return rc;
		if (u && ovl_is_whiteout(u)) {
			inode_put(u);
			return -ENOENT;
		}
	}
	if (od->lower && (!u || (S_ISDIR(u->mode) && !upper_is_opaque(u)))) {
		rc = layer_lookup(od->lower, name, &l);
		if (rc < 0 && rc != -ENOENT) {
			inode_put(u);
			return rc;
		}
		/* An upper directory over a lower non-directory hides it. */
		if (u && l && !S_ISDIR(l->mode)) {
			inode_put(l);
			l = NULL;
		}
	}
	if (!u && !l)
		return -ENOENT;
	child = ovl_inode_new(dir->sb, u, l);
	ncache_add(dir, name, child);
	*out = child;
	return 0;
}

static int ovl_getattr(struct inode *ino)
{
	struct inode *real = ovl_real(ino);
	int rc;

	if (real->iops && real->iops->getattr && (rc = real->iops->getattr(real)) < 0)
		return rc;
	ovl_copyattr(ino);
	return 0;
}

static int ovl_readlink(struct inode *ino, char *buf, size_t bufsz)
{
	struct inode *real = ovl_real(ino);

	if (!real->iops || !real->iops->readlink)
		return -EINVAL;
	return real->iops->readlink(real, buf, bufsz);
}

static int ovl_setattr(struct inode *ino, const struct vfs_iattr *ia)
{
	struct inode *u;
	int rc;

	rc = ovl_copy_up_len(ino, (ia->valid & VFS_ATTR_SIZE) ? ia->size : INT64_MAX);
	if (rc < 0)
		return rc;
	u = OI(ino)->upper;
	rc = u->iops->setattr(u, ia);
	ovl_copyattr(ino);
	return rc;
}

/* ---- creating names ---- */

static int make_whiteout(struct inode *udir, const char *name)
{
	return tmpfs_make_node(udir, name, S_IFCHR, makedev(0, 0), 0, 0, NULL, NULL);
}

/* Drops a whiteout named name in the upper directory; *was tells whether
 * there was one (anything else there is -EEXIST). */
static int clear_whiteout(struct inode *udir, const char *name, bool *was)
{
	struct inode *u;
	bool wo;

	*was = false;
	if (layer_lookup(udir, name, &u) < 0)
		return 0;
	wo = ovl_is_whiteout(u);
	inode_put(u);
	if (!wo)
		return -EEXIST;
	*was = true;
	return udir->iops->unlink(udir, name);
}

/* Common start of every creation: the directory copied up, no whiteout
 * in the way. */
static int prepare_create(struct inode *dir, const char *name, bool *had_whiteout)
{
	int rc = ovl_copy_up(dir);

	if (rc < 0)
		return rc;
	return clear_whiteout(OI(dir)->upper, name, had_whiteout);
}

/* Puts the whiteout back when a creation failed after clearing it. */
static int finish_create(struct inode *dir, const char *name, bool had_whiteout, int rc)
{
	if (rc < 0 && had_whiteout)
		make_whiteout(OI(dir)->upper, name);
	ovl_copyattr(dir);
	return rc;
}

static int ovl_create(struct inode *dir, const char *name, uint32_t mode, struct inode **out)
{
	struct inode *u, *child;
	bool wo;
	int rc = prepare_create(dir, name, &wo);

	if (rc < 0)
		return rc;
	u = OI(dir)->upper;
	rc = u->iops->create(u, name, mode, &child);
	if (rc == 0) {
		*out = ovl_inode_new(dir->sb, child, NULL);
		ncache_add(dir, name, *out);
	}
	return finish_create(dir, name, wo, rc);
}

static int set_opaque(struct inode *udir)
{
	return udir->iops->setxattr(udir, OVL_XATTR_OPAQUE, "y", 1, 0);
}

static int ovl_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	struct inode *u, *nd;
	bool wo;
	int rc = prepare_create(dir, name, &wo);

	if (rc < 0)
		return rc;
	u = OI(dir)->upper;
	rc = u->iops->mkdir(u, name, mode);
	/* Where a whiteout hid a lower directory, the new one must not show
	 * what that one holds. */
	if (rc == 0 && wo && (rc = layer_lookup(u, name, &nd)) == 0) {
		rc = set_opaque(nd);
		inode_put(nd);
		if (rc < 0)
			u->iops->rmdir(u, name);
	}
	return finish_create(dir, name, wo, rc);
}

static int ovl_symlink(struct inode *dir, const char *name, const char *target)
{
	bool wo;
	int rc = prepare_create(dir, name, &wo);

	if (rc < 0)
		return rc;
	rc = OI(dir)->upper->iops->symlink(OI(dir)->upper, name, target);
	return finish_create(dir, name, wo, rc);
}

static int ovl_mknod(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev)
{
	bool wo;
	int rc = prepare_create(dir, name, &wo);

	if (rc < 0)
		return rc;
	rc = OI(dir)->upper->iops->mknod(OI(dir)->upper, name, mode, rdev);
	return finish_create(dir, name, wo, rc);
}

static int ovl_link(struct inode *dir, const char *name, struct inode *target)
{
	bool wo;
	int rc;

	if (!inode_is_overlay(target) || target->sb != dir->sb)
		return -EXDEV;
	if ((rc = ovl_copy_up(target)) < 0)
		return rc;
	if ((rc = prepare_create(dir, name, &wo)) < 0)
		return rc;
	rc = OI(dir)->upper->iops->link(OI(dir)->upper, name, OI(target)->upper);
	if (rc == 0) {
		ncache_add(dir, name, target);
		ovl_copyattr(target);
	}
	return finish_create(dir, name, wo, rc);
}

static int ovl_tmpfile(struct inode *dir, uint32_t mode, struct inode **out)
{
	struct inode *u, *child;
	int rc = ovl_copy_up(dir);

	if (rc < 0)
		return rc;
	u = OI(dir)->upper;
	if (!u->iops->tmpfile)
		return -EOPNOTSUPP;
	if ((rc = u->iops->tmpfile(u, mode, &child)) < 0)
		return rc;
	*out = ovl_inode_new(dir->sb, child, NULL);
	return 0;
}

/* ---- removing names ---- */

static int upper_not_whiteout(const char *name, struct inode *ino, void *arg)
{
	return ovl_is_whiteout(ino) ? 0 : -ENOTEMPTY;
}

static int lower_entry_hidden(const char *name, int len, uint64_t ino, unsigned int dtype, void *arg)
{
	struct inode *udir = arg, *u;
	char n[NAME_MAX_LEN + 1];
	bool hidden;

	memcpy(n, name, (size_t)len);
	n[len] = '\0';
	if (layer_lookup(udir, n, &u) < 0)
		return -ENOTEMPTY;
	hidden = ovl_is_whiteout(u);
	inode_put(u);
	return hidden ? 0 : -ENOTEMPTY;
}

/* Is the merged directory empty? (-ENOTEMPTY if not.) */
static int ovl_check_empty(struct inode *dir)
{
	struct ovl_inode *oi = OI(dir);
	int rc;

	if (oi->upper && (rc = tmpfs_dir_for_each(oi->upper, upper_not_whiteout, NULL)) < 0)
		return rc;
	if (oi->lower)
		return ovl_layer_readdir(oi->lower, lower_entry_hidden, oi->upper);
	return 0;
}

static int drop_whiteout(const char *name, struct inode *ino, void *arg)
{
	struct inode *udir = arg;

	if (ovl_is_whiteout(ino))
		udir->iops->unlink(udir, name);
	return 0;
}

static int ovl_unlink(struct inode *dir, const char *name)
{
	struct inode *udir, *u = NULL;
	bool in_upper = false, need_wo;
	int rc;

	if ((rc = lower_has(dir, name, &need_wo)) < 0)
		return rc;
	if (OI(dir)->upper && layer_lookup(OI(dir)->upper, name, &u) == 0) {
		in_upper = !ovl_is_whiteout(u);
		inode_put(u);
	}
	if (!in_upper && !need_wo)
		return -ENOENT;
	if ((rc = ovl_copy_up(dir)) < 0)
		return rc;
	udir = OI(dir)->upper;
	if (in_upper && (rc = udir->iops->unlink(udir, name)) < 0)
		return rc;
	if (need_wo)
		rc = make_whiteout(udir, name);
	ncache_forget(dir, name);
	ovl_copyattr(dir);
	return rc;
}

static int ovl_rmdir(struct inode *dir, const char *name)
{
	struct inode *child, *udir;
	bool need_wo;
	int rc;

	if ((rc = ovl_lookup(dir, name, &child)) < 0)
		return rc;
	if (!S_ISDIR(child->mode))
		rc = -ENOTDIR;
	else if ((rc = ovl_check_empty(child)) == 0 && (rc = lower_has(dir, name, &need_wo)) == 0 &&
		 (rc = ovl_copy_up(dir)) == 0) {
		udir = OI(dir)->upper;
		if (OI(child)->upper) {
			tmpfs_dir_for_each(OI(child)->upper, drop_whiteout, OI(child)->upper);
			rc = udir->iops->rmdir(udir, name);
		}
		if (rc == 0 && need_wo)
			rc = make_whiteout(udir, name);
		if (rc == 0)
			ncache_forget(dir, name);
		ovl_copyattr(dir);
	}
	inode_put(child);
	return rc;
}

/* ---- rename ---- */

static int ovl_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		      unsigned int flags)
{
	bool exchange = flags & RENAME_EXCHANGE, old_wo = false, src_opaque, tgt_opaque = false, wo;
	struct inode *src = NULL, *tgt = NULL, *uodir, *undir;
	int rc;

	if (flags & RENAME_WHITEOUT)
		return -EINVAL; /* as overlayfs */
	if ((rc = ovl_lookup(odir, oname, &src)) < 0)
		return rc;
	rc = ovl_lookup(ndir, nname, &tgt);
	if (rc < 0 && rc != -ENOENT)
		goto out;
	rc = 0;
	if (tgt == src)
		goto out;
	/* Without redirects a directory with lower contents cannot move. */
	if ((S_ISDIR(src->mode) && OI(src)->lower) ||
	    (exchange && tgt && S_ISDIR(tgt->mode) && OI(tgt)->lower)) {
		log_once("ovl_rename_dir", "overlay: renaming a directory from the lower layer: EXDEV");
		rc = -EXDEV;
		goto out;
	}
	if (tgt && !exchange && S_ISDIR(tgt->mode) && (rc = ovl_check_empty(tgt)) < 0)
		goto out;
	if ((rc = ovl_copy_up(src)) < 0 || (exchange && (rc = ovl_copy_up(tgt)) < 0) ||
	    (rc = ovl_copy_up(odir)) < 0 || (rc = ovl_copy_up(ndir)) < 0)
		goto out;
	uodir = OI(odir)->upper;
	undir = OI(ndir)->upper;
	if (!exchange && (rc = lower_has(odir, oname, &old_wo)) < 0)
		goto out;
	if ((rc = lower_has(ndir, nname, &src_opaque)) < 0)
		goto out;
	src_opaque = src_opaque && S_ISDIR(src->mode);
	if (exchange && S_ISDIR(tgt->mode) && (rc = lower_has(odir, oname, &tgt_opaque)) < 0)
		goto out;
	if (!exchange) {
		/* The target name may be a whiteout, or a merged directory
		 * that only holds whiteouts. */
		if (tgt && S_ISDIR(tgt->mode) && OI(tgt)->upper)
			tmpfs_dir_for_each(OI(tgt)->upper, drop_whiteout, OI(tgt)->upper);
		if (!tgt && (rc = clear_whiteout(undir, nname, &wo)) < 0)
			goto out;
	}
	rc = uodir->iops->rename(uodir, oname, undir, nname, flags & (RENAME_NOREPLACE | RENAME_EXCHANGE));
	if (rc < 0)
		goto out;
	/* A directory landing where the lower layer has the name must not
	 * merge with it. */
	if (src_opaque)
		set_opaque(OI(src)->upper);
	if (tgt_opaque)
		set_opaque(OI(tgt)->upper);
	if (old_wo)
		rc = make_whiteout(uodir, oname);
	ncache_forget(odir, oname);
	ncache_forget(ndir, nname);
	ncache_add(ndir, nname, src);
	if (exchange)
		ncache_add(odir, oname, tgt);
	ovl_copyattr(src);
	if (tgt)
		ovl_copyattr(tgt);
	ovl_copyattr(odir);
	ovl_copyattr(ndir);
out:
	inode_put(src);
	inode_put(tgt);
	return rc;
}

/* ---- extended attributes ---- */

static bool ovl_private_xattr(const char *name)
{
	return strncmp(name, OVL_XATTR_PREFIX, strlen(OVL_XATTR_PREFIX)) == 0;
}

static ssize_t ovl_getxattr(struct inode *ino, const char *name, void *buf, size_t size)
{
	struct inode *real = ovl_real(ino);

	if (ovl_private_xattr(name))
		return -ENODATA;
	if (!real->iops || !real->iops->getxattr)
		return -ENODATA;
	return real->iops->getxattr(real, name, buf, size);
}

static int ovl_setxattr(struct inode *ino, const char *name, const void *value, size_t size,
			int flags)
{
	struct inode *u;
	int rc;

	if (ovl_private_xattr(name))
		return -EPERM;
	if ((rc = ovl_copy_up(ino)) < 0)
		return rc;
	u = OI(ino)->upper;
	rc = u->iops->setxattr(u, name, value, size, flags);
	ovl_copyattr(ino);
	return rc;
}

struct ovl_list_filter {
	bool (*filter)(const char *name, void *arg);
	void *arg;
};

static bool ovl_list_visible(const char *name, void *arg)
{
	struct ovl_list_filter *f = arg;

	return !ovl_private_xattr(name) && (!f->filter || f->filter(name, f->arg));
}

static ssize_t ovl_listxattr(struct inode *ino, char *buf, size_t size,
			     bool (*filter)(const char *name, void *arg), void *arg)
{
	struct inode *real = ovl_real(ino);
	struct ovl_list_filter f = { filter, arg };

	if (!real->iops || !real->iops->listxattr)
		return 0;
	return real->iops->listxattr(real, buf, size, ovl_list_visible, &f);
}

static int ovl_removexattr(struct inode *ino, const char *name)
{
	struct inode *u;
	int rc;

	if (ovl_private_xattr(name))
		return -ENODATA;
	if ((rc = ovl_copy_up(ino)) < 0)
		return rc;
	u = OI(ino)->upper;
	rc = u->iops->removexattr(u, name);
	ovl_copyattr(ino);
	return rc;
}

/* ---- open ---- */

static int ovl_open(struct inode *ino, struct file *f)
{
	struct file *rf;
	int acc = f->flags & O_ACCMODE, rc;

	if (S_ISDIR(ino->mode))
		return ovl_dir_open(ino, f);
	if (!S_ISREG(ino->mode))
		return -ENXIO; /* sockets and devices have nothing behind them */
	if (acc != O_RDONLY || (f->flags & O_TRUNC)) {
		rc = ovl_copy_up_len(ino, (f->flags & O_TRUNC) ? 0 : INT64_MAX);
		if (rc < 0)
			return rc;
	}
	rc = ovl_open_real(ovl_real(ino), f->flags & (O_ACCMODE | O_TRUNC | O_APPEND | O_NONBLOCK),
			   &rf);
	if (rc < 0)
		return rc;
	/* The real file goes by the overlay's name: mappings are made
	 * through it (overlay_real_file) and /proc/PID/maps shows them. */
	rf->path = f->path;
	path_get(&rf->path);
	f->priv = rf;
	ovl_copyattr(ino);
	return 0;
}

const struct inode_ops ovl_iops = {
	.lookup = ovl_lookup,
	.readlink = ovl_readlink,
	.getattr = ovl_getattr,
	.open = ovl_open,
	.create = ovl_create,
	.mkdir = ovl_mkdir,
	.unlink = ovl_unlink,
	.rmdir = ovl_rmdir,
	.rename = ovl_rename,
	.symlink = ovl_symlink,
	.evict = ovl_evict,
	.link = ovl_link,
	.mknod = ovl_mknod,
	.setattr = ovl_setattr,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
	.tmpfile = ovl_tmpfile,
};

/* ---- the superblock ---- */

static int ovl_statfs(struct superblock *sb, struct statfs *st)
{
	struct ovl_sb *os = sb->priv;
	uint64_t pages, inodes;
	int rc = os->upper_sb->statfs ? os->upper_sb->statfs(os->upper_sb, st) : -ENOSYS;

	if (rc < 0)
		return rc;
	/* The upper layer is only bounded by memory: report the tmpfs
	 * default, so that df shows something sensible. */
	if (!st->f_blocks) {
		tmpfs_usage(os->upper_sb, &pages, &inodes);
		st->f_blocks = tmpfs_default_pages();
		st->f_bfree = st->f_bavail = st->f_blocks - MIN(pages, st->f_blocks);
		st->f_files = tmpfs_default_pages();
		st->f_ffree = st->f_files - MIN(inodes, st->f_files);
	}
	st->f_type = OVERLAYFS_SUPER_MAGIC;
	return 0;
}

static void ovl_kill_sb(struct superblock *sb)
{
	struct ovl_sb *os = sb->priv;

	sb_put(os->upper_sb);
	free(os);
}

int overlay_new(struct inode *lower_root, struct inode *upper_root, unsigned long sb_flags,
		struct inode **root)
{
	struct superblock *sb;
	struct ovl_sb *os;
	struct vfs_iattr ia = { .valid = VFS_ATTR_MODE | VFS_ATTR_UID | VFS_ATTR_GID |
					 VFS_ATTR_ATIME | VFS_ATTR_MTIME };
	int rc;

	if (!S_ISDIR(lower_root->mode) || !inode_is_tmpfs(upper_root))
		return -EINVAL;
	/* The upper root stands for the lower one. */
	ia.mode = lower_root->mode & 07777;
	ia.uid = lower_root->uid;
	ia.gid = lower_root->gid;
	ia.atime = lower_root->atime;
	ia.mtime = lower_root->mtime;
	if ((rc = upper_root->iops->setattr(upper_root, &ia)) < 0)
		return rc;
	upper_root->ino = lower_root->ino;
	upper_root->sb->next_ino = MAX(upper_root->sb->next_ino, OVL_UPPER_INO_BASE);
	sb = sb_new("overlay", sb_flags);
	os = xzalloc(sizeof(*os));
	os->upper_sb = upper_root->sb;
	os->upper_sb->refcount++;
	sb->priv = os;
	sb->statfs = ovl_statfs;
	sb->kill_sb = ovl_kill_sb;
	*root = ovl_inode_new(sb, upper_root, inode_get(lower_root));
	sb_put(sb); /* the root inode holds it */
	return 0;
}
