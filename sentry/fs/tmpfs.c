/* tmpfs: superblocks with their options and limits, inodes, and the
 * namespace operations (create, mkdir, unlink, rmdir, rename, link,
 * symlink, mknod, setattr, xattrs). Directory tables are in tmpfs_dir.c,
 * file data in tmpfs_file.c.
 *
 * A directory holds a reference on each inode it names; open files and
 * dentries hold theirs. An inode goes (its pages back to the memory file)
 * when the last of them does, so an unlinked open file stays usable. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/tmpfs_impl.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/vfs/vfs_impl.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

/* Until the sentry measures the machine at boot: 1 GiB. */
static uint64_t default_pages = (1ULL << 30) / PAGE_SIZE;

void tmpfs_set_default_pages(uint64_t pages)
{
	if (pages)
		default_pages = pages;
}

uint64_t tmpfs_default_pages(void)
{
	return default_pages;
}

void tmpfs_usage(struct superblock *sb, uint64_t *pages, uint64_t *inodes)
{
	struct tmpfs_sb *s = sb->priv;

	*pages = s->used_pages + tmpfs_uncharged_pages(s);
	*inodes = s->used_inodes;
}

/* ---- options ---- */

/* memparse(): a number with an optional k/m/g/t/p/e suffix. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'e': case 'E': shift += 10; /* fallthrough */
	case 'p': case 'P': shift += 10; /* fallthrough */
	case 't': case 'T': shift += 10; /* fallthrough */
	case 'g': case 'G': shift += 10; /* fallthrough */
	case 'm': case 'M': shift += 10; /* fallthrough */
	case 'k': case 'K': shift += 10; end++; break;
	default: break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_uint(const char *s, int base, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Applies "key=value" options onto o (whose fields stay when not named). */
static int apply_options(const char *data, struct tmpfs_opts *o)
{
	_cleanup_free_ char *copy = xstrdup(data ? data : "");
	char *save = NULL;

	for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		char *val = strchr(opt, '=');
		uint64_t v;
		int rc = -EINVAL;

		if (val)
			*val++ = '\0';
		if (!val) {
			/* Linux's tmpfs takes no value-less options we support. */
		} else if (!strcmp(opt, "size")) {
			size_t n = strlen(val);

			if (n && val[n - 1] == '%') {
				val[n - 1] = '\0';
				/* A share of the machine's memory, of which the
				 * default (half) is known. */
				if ((rc = parse_uint(val, 10, 10000, &v)) == 0)
					o->max_pages = default_pages * 2 * v / 100;
			} else if ((rc = parse_size(val, &v)) == 0) {
				o->max_pages = PAGE_ALIGN(v) / PAGE_SIZE;
				if (v && !o->max_pages)
					o->max_pages = 1;
			}
			o->size_set = true;
		} else if (!strcmp(opt, "nr_inodes")) {
			if ((rc = parse_size(val, &v)) == 0)
				o->max_inodes = v;
			o->inodes_set = true;
		} else if (!strcmp(opt, "mode")) {
			if ((rc = parse_uint(val, 8, 07777, &v)) == 0)
				o->mode = (uint32_t)v;
			o->mode_set = true;
		} else if (!strcmp(opt, "uid")) {
			if ((rc = parse_uint(val, 10, UINT32_MAX - 1, &v)) == 0)
				o->uid = (uid_t)v;
			o->uid_set = true;
		} else if (!strcmp(opt, "gid")) {
			if ((rc = parse_uint(val, 10, UINT32_MAX - 1, &v)) == 0)
				o->gid = (gid_t)v;
			o->gid_set = true;
		}
		if (rc < 0) {
			log_warn("tmpfs: bad or unsupported option \"%s%s%s\"", opt, val ? "=" : "",
				 val ? val : "");
			return -EINVAL;
		}
	}
	return 0;
}

int tmpfs_parse_options(const char *data, struct tmpfs_opts *o)
{
	*o = (struct tmpfs_opts){
		.max_pages = default_pages,
		.max_inodes = default_pages,
		.mode = 01777,
	};
	return apply_options(data, o);
}

/* ---- accounting ---- */

int tmpfs_reserve_pages(struct tmpfs_sb *s, uint64_t n)
{
	if (s->opts.max_pages && s->used_pages + n > s->opts.max_pages)
		return -ENOSPC;
	s->used_pages += n;
	return 0;
}

void tmpfs_release_pages(struct tmpfs_sb *s, uint64_t n)
{
	s->used_pages -= n;
}

void tmpfs_touch(struct inode *ino, bool m, bool c)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (m)
		ino->mtime = now;
	if (c)
		ino->ctime = now;
}

/* ---- inodes ---- */

bool inode_is_tmpfs(const struct inode *ino)
{
	return ino->iops == &tmpfs_iops;
}

/* A directory's size, as Linux's shmem keeps it: BOGO_DIRENT_SIZE per
 * entry, "." and ".." included ("some things misbehave if size == 0 on
 * a directory"). ls -l, du and tar listings show it. */
#define BOGO_DIRENT_SIZE 20

static int tmpfs_inode_alloc(struct superblock *sb, uint32_t mode, struct inode **out)
{
	struct tmpfs_sb *s = sb->priv;
	const struct file_ops *fops = NULL;
	struct tmpfs_inode *ti;
	struct inode *ino;

	if (s->opts.max_inodes && s->used_inodes >= s->opts.max_inodes)
		return -ENOSPC;
	if (S_ISREG(mode))
		fops = &tmpfs_reg_fops;
	else if (S_ISDIR(mode))
		fops = &tmpfs_dir_fops;
	ino = inode_new(sb, mode, &tmpfs_iops, fops);
	ti = xzalloc(sizeof(*ti));
	tmpfs_dir_init(&ti->dir);
	ti->inode = ino;
	list_init(&ti->mapped_link);
	ino->priv = ti;
	ino->blksize = PAGE_SIZE;
	if (S_ISDIR(mode))
		ino->size = 2 * BOGO_DIRENT_SIZE;
	s->used_inodes++;
	*out = ino;
	return 0;
}

static void tmpfs_evict(struct inode *ino)
{
	struct tmpfs_inode *ti = TI(ino);

	if (!ti)
		return;
	if (S_ISREG(ino->mode))
		tmpfs_release_data(ino);
	tmpfs_dir_destroy(&ti->dir);
	free(ti->target);
	simple_xattrs_free(&ti->xattrs);
	free(ti);
	ino->priv = NULL;
	TSB(ino)->used_inodes--;
}

/* Adds a new inode of mode as name in dir; *out (if given) gets a new
 * reference. uid/gid: NULL means the creator's (inode_init_owner). */
static int new_node(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
		    const uid_t *uid, const gid_t *gid, const char *target, struct inode **out)
{
	struct tmpfs_inode *dti = TI(dir);
	struct inode *ino;
	int rc;

	if (dir->nlink == 0)
		return -ENOENT; /* removed while someone still had it open */
	if (tmpfs_dir_find(&dti->dir, name))
		return -EEXIST;
	if ((rc = tmpfs_inode_alloc(dir->sb, mode, &ino)) < 0)
		return rc;
	inode_init_owner(ino, dir, mode);
	if (uid)
		ino->uid = *uid;
	if (gid)
		ino->gid = *gid;
	ino->rdev = rdev;
	if (S_ISLNK(mode)) {
		TI(ino)->target = xstrdup(target);
		ino->size = (int64_t)strlen(target);
	}
	if (S_ISDIR(mode))
		dir->nlink++;
	tmpfs_dir_add(&dti->dir, name, ino); /* the directory's reference */
	dir->size += BOGO_DIRENT_SIZE;
	tmpfs_touch(dir, true, true);
	if (out)
		*out = inode_get(ino);
	return 0;
}

static int tmpfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct tmpfs_dirent *e = tmpfs_dir_find(&TI(dir)->dir, name);

	if (!e)
		return -ENOENT;
	*out = inode_get(e->ino);
	return 0;
}

static int tmpfs_create(struct inode *dir, const char *name, uint32_t mode, struct inode **out)
{
	return new_node(dir, name, S_IFREG | (mode & 07777), 0, NULL, NULL, NULL, out);
}

static int tmpfs_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	return new_node(dir, name, S_IFDIR | (mode & 07777), 0, NULL, NULL, NULL, NULL);
}

static int tmpfs_mknod(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFREG:
		return new_node(dir, name, mode, 0, NULL, NULL, NULL, NULL);
	default:
		/* A device node would be a way to host devices the sandbox
		 * does not emulate. */
		log_once("tmpfs_mknod_dev", "tmpfs: device nodes are not supported (EPERM)");
		return -EPERM;
	}
}

static int tmpfs_symlink(struct inode *dir, const char *name, const char *target)
{
	if (strlen(target) >= PATH_MAX)
		return -ENAMETOOLONG;
	return new_node(dir, name, S_IFLNK | 0777, 0, NULL, NULL, target, NULL);
}

int tmpfs_make_node(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev, uid_t uid,
		    gid_t gid, const char *target, struct inode **out)
{
	if (!inode_is_tmpfs(dir) || !S_ISDIR(dir->mode))
		return -ENOTDIR;
	return new_node(dir, name, mode, rdev, &uid, &gid, target, out);
}

static int tmpfs_link(struct inode *dir, const char *name, struct inode *target)
{
	if (!inode_is_tmpfs(target) || target->sb != dir->sb)
		return -EXDEV;
	if (dir->nlink == 0)
		return -ENOENT;
	/* Only an O_TMPFILE file may get a name back once it has none. */
	if (target->nlink == 0 && !TI(target)->linkable)
		return -ENOENT;
	if (tmpfs_dir_find(&TI(dir)->dir, name))
		return -EEXIST;
	target->nlink++;
	tmpfs_touch(target, false, true);
	tmpfs_dir_add(&TI(dir)->dir, name, inode_get(target));
	dir->size += BOGO_DIRENT_SIZE;
	tmpfs_touch(dir, true, true);
	return 0;
}

/* Drops ino's name e from dir (already checked). */
static void drop_name(struct inode *dir, struct tmpfs_dirent *e)
{
	struct inode *ino = tmpfs_dir_remove(&TI(dir)->dir, e);

	dir->size -= BOGO_DIRENT_SIZE;
	if (S_ISDIR(ino->mode)) {
		ino->nlink = 0;
		dir->nlink--;
	} else {
		ino->nlink--;
	}
	tmpfs_touch(ino, false, true);
	tmpfs_touch(dir, true, true);
	inode_put(ino);
}

static int tmpfs_unlink(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *e = tmpfs_dir_find(&TI(dir)->dir, name);

	if (!e)
		return -ENOENT;
	if (S_ISDIR(e->ino->mode))
		return -EISDIR;
	drop_name(dir, e);
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *e = tmpfs_dir_find(&TI(dir)->dir, name);

	if (!e)
		return -ENOENT;
	if (!S_ISDIR(e->ino->mode))
		return -ENOTDIR;
	if (tmpfs_dir_count(e->ino))
		return -ENOTEMPTY;
	drop_name(dir, e);
	return 0;
}

static int tmpfs_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
			unsigned int flags)
{
	struct tmpfs_dirent *oe = tmpfs_dir_find(&TI(odir)->dir, oname);
	struct tmpfs_dirent *ne = tmpfs_dir_find(&TI(ndir)->dir, nname);
	struct inode *src;
	int rc;

	if (!oe)
		return -ENOENT;
	if (!inode_is_tmpfs(ndir) || ndir->sb != odir->sb)
		return -EXDEV;
	src = oe->ino;
	if ((flags & RENAME_NOREPLACE) && ne)
		return -EEXIST;
	if (flags & RENAME_EXCHANGE) {
		struct inode *other;

		if (!ne)
			return -ENOENT;
		other = ne->ino;
		/* Positions stay; only the inodes change places. */
		oe->ino = other;
		ne->ino = src;
		if (odir != ndir && S_ISDIR(src->mode) != S_ISDIR(other->mode)) {
			if (S_ISDIR(src->mode)) {
				odir->nlink--;
				ndir->nlink++;
			} else {
				odir->nlink++;
				ndir->nlink--;
			}
		}
		tmpfs_touch(src, false, true);
		tmpfs_touch(other, false, true);
		tmpfs_touch(odir, true, true);
		tmpfs_touch(ndir, true, true);
		return 0;
	}
	if (ne) {
		struct inode *victim = ne->ino;

		if (victim == src)
			return 0; /* two names of one file: rename does nothing */
		if (S_ISDIR(victim->mode)) {
			if (!S_ISDIR(src->mode))
				return -EISDIR;
			if (tmpfs_dir_count(victim))
				return -ENOTEMPTY;
		} else if (S_ISDIR(src->mode)) {
			return -ENOTDIR;
		}
	}
	if (flags & RENAME_WHITEOUT) {
		/* The whiteout takes the old name's place: make sure it can
		 * exist before anything moves. */
		if (TSB(odir)->opts.max_inodes && TSB(odir)->used_inodes >= TSB(odir)->opts.max_inodes)
			return -ENOSPC;
	}
	if (ne)
		drop_name(ndir, ne);
	tmpfs_dir_remove(&TI(odir)->dir, oe); /* the reference moves on */
	tmpfs_dir_add(&TI(ndir)->dir, nname, src);
	odir->size -= BOGO_DIRENT_SIZE;
	ndir->size += BOGO_DIRENT_SIZE;
	if (S_ISDIR(src->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
	}
	tmpfs_touch(src, false, true);
	tmpfs_touch(odir, true, true);
	tmpfs_touch(ndir, true, true);
	if (flags & RENAME_WHITEOUT) {
		const struct cred *c = vfs_current_cred();
		uid_t uid = c ? c->fsuid : 0;
		gid_t gid = c ? c->fsgid : 0;

		if ((rc = new_node(odir, oname, S_IFCHR, makedev(0, 0), &uid, &gid, NULL, NULL)) < 0)
			return rc;
	}
	return 0;
}

/* st_blocks of a mapped file changes behind tmpfs's back (stores through
 * shared mappings). */
static int tmpfs_getattr(struct inode *ino)
{
	if (S_ISREG(ino->mode))
		tmpfs_update_blocks(ino);
	return 0;
}

static int tmpfs_readlink(struct inode *ino, char *buf, size_t bufsz)
{
	const char *target = TI(ino)->target;
	size_t n = MIN(strlen(target), bufsz);

	memcpy(buf, target, n);
	return (int)n;
}

static int tmpfs_open(struct inode *ino, struct file *f)
{
	if (S_ISSOCK(ino->mode) || S_ISCHR(ino->mode) || S_ISBLK(ino->mode))
		return -ENXIO; /* no socket bound to it, no device behind it */
	if (S_ISREG(ino->mode) && (f->flags & O_TRUNC)) {
		int rc = tmpfs_set_size(ino, 0);

		if (rc < 0)
			return rc;
		tmpfs_touch(ino, true, true);
	}
	return 0;
}

static int tmpfs_setattr(struct inode *ino, const struct vfs_iattr *ia)
{
	struct timespec now;
	int rc;

	clock_gettime(CLOCK_REALTIME, &now);
	if (ia->valid & VFS_ATTR_SIZE) {
		if (!S_ISREG(ino->mode))
			return -EINVAL;
		if (ia->size != ino->size) {
			if ((rc = tmpfs_set_size(ino, ia->size)) < 0)
				return rc;
			ino->mtime = now;
		}
	}
	if (ia->valid & VFS_ATTR_MODE)
		ino->mode = (ino->mode & S_IFMT) | (ia->mode & 07777);
	if (ia->valid & VFS_ATTR_UID)
		ino->uid = ia->uid;
	if (ia->valid & VFS_ATTR_GID)
		ino->gid = ia->gid;
	if (ia->valid & VFS_ATTR_ATIME)
		ino->atime = ia->atime;
	if (ia->valid & VFS_ATTR_MTIME)
		ino->mtime = ia->mtime;
	ino->ctime = now;
	return 0;
}

static ssize_t tmpfs_getxattr(struct inode *ino, const char *name, void *buf, size_t size)
{
	return simple_xattr_get(&TI(ino)->xattrs, name, buf, size);
}

static int tmpfs_setxattr(struct inode *ino, const char *name, const void *value, size_t size,
			  int flags)
{
	int rc = simple_xattr_set(&TI(ino)->xattrs, name, value, size, flags);

	if (rc == 0)
		tmpfs_touch(ino, false, true);
	return rc;
}

static ssize_t tmpfs_listxattr(struct inode *ino, char *buf, size_t size,
			       bool (*filter)(const char *name, void *arg), void *arg)
{
	return simple_xattr_list(&TI(ino)->xattrs, buf, size, filter, arg);
}

static int tmpfs_removexattr(struct inode *ino, const char *name)
{
	int rc = simple_xattr_set(&TI(ino)->xattrs, name, NULL, 0, XATTR_REPLACE);

	if (rc == 0)
		tmpfs_touch(ino, false, true);
	return rc;
}

static int tmpfs_tmpfile(struct inode *dir, uint32_t mode, struct inode **out)
{
	struct inode *ino;
	int rc;

	if (dir->nlink == 0)
		return -ENOENT;
	if ((rc = tmpfs_inode_alloc(dir->sb, S_IFREG | (mode & 07777), &ino)) < 0)
		return rc;
	inode_init_owner(ino, dir, S_IFREG | (mode & 07777));
	ino->nlink = 0;
	TI(ino)->linkable = true;
	*out = ino;
	return 0;
}

const struct inode_ops tmpfs_iops = {
	.lookup = tmpfs_lookup,
	.readlink = tmpfs_readlink,
	.getattr = tmpfs_getattr,
	.open = tmpfs_open,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.symlink = tmpfs_symlink,
	.evict = tmpfs_evict,
	.link = tmpfs_link,
	.mknod = tmpfs_mknod,
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
	.tmpfile = tmpfs_tmpfile,
};

/* ---- superblocks ---- */

static int tmpfs_statfs(struct superblock *sb, struct statfs *st)
{
	struct tmpfs_sb *s = sb->priv;

	memset(st, 0, sizeof(*st));
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = PAGE_SIZE;
	st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX_LEN;
	/* Unlimited instances report zeroes, as Linux's. */
	if (s->opts.max_pages) {
		st->f_blocks = s->opts.max_pages;
		st->f_bfree = st->f_bavail = s->opts.max_pages - MIN(s->used_pages, s->opts.max_pages);
	}
	if (s->opts.max_inodes) {
		st->f_files = s->opts.max_inodes;
		st->f_ffree = s->opts.max_inodes - MIN(s->used_inodes, s->opts.max_inodes);
	}
	return 0;
}

/* As shmem_show_options: what differs from the defaults. */
int tmpfs_show_opts(const struct tmpfs_opts *o, char *buf, size_t len)
{
	size_t n = 0;

#define SHOW(...)                                                                              \
	do {                                                                                   \
		int w = snprintf(buf + n, len > n ? len - n : 0, "%s", n ? "," : "");           \
		n += (size_t)MAX(w, 0);                                                        \
		w = snprintf(buf + n, len > n ? len - n : 0, __VA_ARGS__);                     \
		n += (size_t)MAX(w, 0);                                                        \
	} while (0)
	if (o->max_pages != default_pages)
		SHOW("size=%" PRIu64 "k", o->max_pages * (PAGE_SIZE / 1024));
	if (o->max_inodes != default_pages)
		SHOW("nr_inodes=%" PRIu64, o->max_inodes);
	if (o->mode != 01777)
		SHOW("mode=%03o", o->mode);
	if (o->uid)
		SHOW("uid=%u", o->uid);
	if (o->gid)
		SHOW("gid=%u", o->gid);
#undef SHOW
	if (n >= len && len)
		buf[len - 1] = '\0';
	return (int)MIN(n, len ? len - 1 : 0);
}

static int tmpfs_show_options(struct superblock *sb, char *buf, size_t len)
{
	struct tmpfs_sb *s = sb->priv;

	return tmpfs_show_opts(&s->opts, buf, len);
}

struct tmpfs_root_sb {
	struct tmpfs_sb s;
	struct inode *root; /* no reference: the mount holds one */
};

/* mount -o remount: limits may change but not below what is in use;
 * mode/uid/gid apply to the root directory. */
static int tmpfs_remount(struct superblock *sb, const char *data)
{
	struct tmpfs_root_sb *rs = sb->priv;
	struct tmpfs_opts o = rs->s.opts;
	int rc;

	o.size_set = o.inodes_set = o.mode_set = o.uid_set = o.gid_set = false;
	if ((rc = apply_options(data, &o)) < 0)
		return rc;
	if (o.size_set && o.max_pages && o.max_pages < rs->s.used_pages)
		return -EINVAL;
	/* A limit from now on: what mapped files hold counts too. */
	if (o.size_set && o.max_pages && !rs->s.opts.max_pages &&
	    (rc = tmpfs_charge_all(&rs->s, o.max_pages)) < 0)
		return rc;
	if (o.inodes_set && o.max_inodes && o.max_inodes < rs->s.used_inodes)
		return -EINVAL;
	if (o.mode_set)
		rs->root->mode = S_IFDIR | o.mode;
	if (o.uid_set)
		rs->root->uid = o.uid;
	if (o.gid_set)
		rs->root->gid = o.gid;
	rs->s.opts.max_pages = o.max_pages;
	rs->s.opts.max_inodes = o.max_inodes;
	rs->s.opts.mode = o.mode;
	rs->s.opts.uid = o.uid;
	rs->s.opts.gid = o.gid;
	return 0;
}

static void tmpfs_kill_sb(struct superblock *sb)
{
	free(sb->priv);
	sb->priv = NULL;
}

int tmpfs_new(struct memfile *mf, const char *fstype, unsigned long sb_flags,
	      const struct tmpfs_opts *o, struct inode **root)
{
	struct superblock *sb;
	struct tmpfs_root_sb *rs;
	struct inode *ino;
	const struct cred *c = vfs_current_cred();
	int rc;

	if (!mf)
		return -ENODEV;
	sb = sb_new(fstype, sb_flags);
	rs = xzalloc(sizeof(*rs));
	rs->s.mf = mf;
	rs->s.opts = *o;
	list_init(&rs->s.mapped);
	sb->priv = rs;
	sb->statfs = tmpfs_statfs;
	sb->show_options = tmpfs_show_options;
	sb->remount = tmpfs_remount;
	sb->kill_sb = tmpfs_kill_sb;
	rc = tmpfs_inode_alloc(sb, S_IFDIR | (o->mode & 07777), &ino);
	if (rc == 0) {
		ino->uid = o->uid_set ? o->uid : c ? c->fsuid : 0;
		ino->gid = o->gid_set ? o->gid : c ? c->fsgid : 0;
		rs->s.opts.uid = ino->uid;
		rs->s.opts.gid = ino->gid;
		rs->root = ino;
		*root = ino;
	}
	sb_put(sb); /* the root inode holds it */
	return rc;
}

static int tmpfs_mount(const char *source, unsigned long sb_flags, const char *data,
		       struct inode **root)
{
	struct tmpfs_opts o;
	int rc;

	if ((rc = tmpfs_parse_options(data, &o)) < 0)
		return rc;
	return tmpfs_new(kernel ? kernel->mf : NULL, "tmpfs", sb_flags, &o, root);
}

FS_TYPE_DEFINE(tmpfs) = {
	.name = "tmpfs",
	.mount = tmpfs_mount,
	.flags = FS_TYPE_NODEV,
};
