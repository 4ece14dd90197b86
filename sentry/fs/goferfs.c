/* goferfs: the sandbox's root filesystem, served by the gofer.
 *
 * An inode holds a gofer fid (the gofer's O_PATH fd for the file) and the
 * attributes the gofer last reported. Opening a regular file asks the gofer
 * for a host fd, which the sentry then reads and writes itself (pread and
 * pwrite on its own fd). Directories are listed through the gofer with
 * readdir cookies.
 *
 * The rootfs may span several host filesystems (bind mounts in the bundle)
 * but shows as one device, so inode numbers from other host devices are
 * remapped to stay unique, as gVisor does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "gofer/binds.h"
#include "runsc/log.h"
#include "runsc/spec.h"
#include "runsc/util.h"
#include "sentry/fs/goferfs.h"
#include "sentry/gofer_client.h"
#include "sentry/pagecache.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

/* Remapped inode numbers start high to stay clear of the root device's. */
#define INO_REMAP_BASE (1ULL << 48)

struct ino_key {
	uint64_t dev, ino;
};

struct ino_map_entry {
	struct ino_key key;
	uint64_t ino;
	struct ino_map_entry *next;
};

struct goferfs_sb {
	struct gofer_client *c;
	uint32_t root_fid;          /* kept alive by the root inode (statfs) */
	uint64_t root_dev;          /* host device of the rootfs root */
	struct ino_map_entry **map; /* (host dev, host ino) -> sandbox ino */
	size_t map_buckets, map_count;
	uint64_t next_remap;
	/* Live inodes: the last one to go frees this (the VFS's superblock
	 * has no destructor for its priv). */
	size_t ninodes;
};

struct gofer_inode {
	uint32_t fid;
	uint64_t host_dev;
	/* A symlink's target never changes (replacing it makes a new inode),
	 * and every busybox applet is one: read it from the gofer once. */
	char *link;
	size_t link_len;
	/* The host fd CREATE returned, for the open that follows it (an
	 * O_CREAT open of a file whose mode forbids the access asked for
	 * still succeeds), or -1. */
	int create_fd;
};

/* An open regular file: the host fd the gofer gave us. */
struct gofer_file {
	int fd;
};

/* An open directory. Positions 0 and 1 are "." and ".."; gofer entry k is
 * at position k + 2. cookies[k] is the gofer cookie from which entry k is
 * read, so any position already seen can be resumed exactly, and positions
 * stay small and monotonic whatever the host's d_off values are (ext4's
 * are hashes). */
struct gofer_dir {
	uint64_t *cookies;
	size_t ncookies, cap;
};

static struct goferfs_sb *GSB(struct inode *ino) { return ino->sb->priv; }
static struct gofer_inode *GI(struct inode *ino) { return ino->priv; }

static void ino_map_grow(struct goferfs_sb *g)
{
	size_t n = g->map_buckets ? g->map_buckets * 2 : 64;
	struct ino_map_entry **nm = xzalloc(n * sizeof(*nm));

	for (size_t i = 0; i < g->map_buckets; i++) {
		struct ino_map_entry *e = g->map[i], *next;

		for (; e; e = next) {
			size_t b = XXH3_64bits(&e->key, sizeof(e->key)) & (n - 1);

			next = e->next;
			e->next = nm[b];
			nm[b] = e;
		}
	}
	free(g->map);
	g->map = nm;
	g->map_buckets = n;
}

static uint64_t ino_map(struct goferfs_sb *g, uint64_t dev, uint64_t ino)
{
	struct ino_key key = { .dev = dev, .ino = ino };
	struct ino_map_entry *e;
	size_t b;

	if (dev == g->root_dev)
		return ino;
	if (g->map_count >= g->map_buckets)
		ino_map_grow(g);
	b = XXH3_64bits(&key, sizeof(key)) & (g->map_buckets - 1);
	for (e = g->map[b]; e; e = e->next) {
		if (e->key.dev == dev && e->key.ino == ino)
			return e->ino;
	}
	e = xzalloc(sizeof(*e));
	e->key = key;
	e->ino = g->next_remap++;
	e->next = g->map[b];
	g->map[b] = e;
	g->map_count++;
	return e->ino;
}

static void attr_to_inode(struct inode *ino, const struct gofer_attr *a)
{
	/* The file type of an inode never changes; permission bits can. */
	ino->mode = (ino->mode & S_IFMT) | (a->mode & ~S_IFMT);
	ino->nlink = a->nlink;
	ino->uid = a->uid;
	ino->gid = a->gid;
	ino->rdev = a->rdev;
	ino->size = a->size;
	ino->blocks = a->blocks;
	ino->blksize = a->blksize ? a->blksize : 4096;
	ino->atime = (struct timespec){ a->atime_sec, a->atime_nsec };
	ino->mtime = (struct timespec){ a->mtime_sec, a->mtime_nsec };
	ino->ctime = (struct timespec){ a->ctime_sec, a->ctime_nsec };
}

static void stat_to_inode(struct inode *ino, const struct stat *st)
{
	ino->mode = (ino->mode & S_IFMT) | (st->st_mode & ~S_IFMT);
	ino->nlink = st->st_nlink;
	ino->uid = st->st_uid;
	ino->gid = st->st_gid;
	ino->size = st->st_size;
	ino->blocks = st->st_blocks;
	ino->blksize = st->st_blksize;
	ino->atime = st->st_atim;
	ino->mtime = st->st_mtim;
	ino->ctime = st->st_ctim;
}

static const struct inode_ops goferfs_iops;
static const struct file_ops goferfs_file_fops;
static const struct file_ops goferfs_dir_fops;

static struct inode *goferfs_inode_new(struct superblock *sb, uint32_t fid, const struct gofer_attr *a)
{
	const struct file_ops *fops = NULL;
	struct gofer_inode *gi;
	struct inode *ino;

	if (S_ISREG(a->mode))
		fops = &goferfs_file_fops;
	else if (S_ISDIR(a->mode))
		fops = &goferfs_dir_fops;
	ino = inode_new(sb, a->mode & S_IFMT, &goferfs_iops, fops);
	gi = xzalloc(sizeof(*gi));
	gi->fid = fid;
	gi->create_fd = -1;
	GSB(ino)->ninodes++;
	gi->host_dev = a->dev;
	ino->priv = gi;
	ino->ino = ino_map(sb->priv, a->dev, a->ino);
	attr_to_inode(ino, a);
	return ino;
}

/* ---- inode operations ---- */

static int goferfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct gofer_attr attr;
	uint32_t fid;
	int rc;

	rc = gofer_walk(GSB(dir)->c, GI(dir)->fid, name, &fid, &attr);
	if (rc < 0)
		return rc;
	*out = goferfs_inode_new(dir->sb, fid, &attr);
	return 0;
}

static int goferfs_readlink(struct inode *ino, char *buf, size_t bufsz)
{
	struct gofer_inode *gi = GI(ino);

	if (!gi->link) {
		_cleanup_free_ char *target = xmalloc(PATH_MAX);
		size_t len = 0;
		int rc = gofer_readlink(GSB(ino)->c, gi->fid, target, PATH_MAX, &len);

		if (rc < 0)
			return rc;
		gi->link_len = MIN(len, (size_t)PATH_MAX);
		gi->link = steal_pointer(&target);
	}
	memcpy(buf, gi->link, MIN(gi->link_len, bufsz));
	return (int)MIN(gi->link_len, bufsz);
}

static int goferfs_getattr(struct inode *ino)
{
	struct gofer_attr attr;
	int rc = gofer_getattr(GSB(ino)->c, GI(ino)->fid, &attr);

	if (rc < 0)
		return rc;
	attr_to_inode(ino, &attr);
	return 0;
}

static int goferfs_open(struct inode *ino, struct file *f)
{
	struct gofer_file *gf;
	int acc = f->flags & O_ACCMODE;
	int hflags, fd, rc;

	if (S_ISDIR(ino->mode)) {
		struct gofer_dir *gd = xzalloc(sizeof(*gd));

		gd->cap = 16;
		gd->cookies = xmalloc(gd->cap * sizeof(*gd->cookies));
		gd->cookies[0] = 0;
		gd->ncookies = 1;
		f->priv = gd;
		return 0;
	}
	if (!S_ISREG(ino->mode)) {
		/* Devices, FIFOs and sockets in the rootfs would reach host
		 * objects; Linux answers ENXIO for a node with no driver. */
		log_once("goferfs_open_special", "goferfs: opening a device, FIFO or socket node is not supported");
		return -ENXIO;
	}
	/* Access mode 3 (ioctl only) means nothing for a regular file. */
	hflags = (acc == O_ACCMODE ? O_RDWR : acc) | (f->flags & (O_TRUNC | O_APPEND));
	if (GI(ino)->create_fd >= 0) {
		/* Just created (read-write): the VFS enforces f's access mode. */
		fd = steal_fd(&GI(ino)->create_fd);
	} else {
		rc = gofer_open(GSB(ino)->c, GI(ino)->fid, hflags, &fd);
		if (rc < 0)
			return rc;
	}
	gf = xzalloc(sizeof(*gf));
	gf->fd = fd;
	f->priv = gf;
	if (f->flags & O_TRUNC) {
		struct stat st;
		int64_t old_size = ino->size;

		if (fstat(fd, &st) == 0) {
			stat_to_inode(ino, &st);
			if (ino->cache)
				pagecache_truncate(ino->cache, (uint64_t)old_size, (uint64_t)st.st_size);
		}
	}
	return 0;
}

/* ---- write operations ----
 *
 * The sentry has done Linux's checks (permissions, read-only mounts,
 * sticky directories) against the workload's credentials; the gofer then
 * acts with its own and gives new files the owner asked for here. Cached
 * attributes of the files involved are refreshed from the gofer's replies;
 * a directory's own (mtime, nlink) on its next getattr. */

static bool cred_in_group_of(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/* The credentials of the task whose syscall runs (NULL: the sentry
 * itself at boot, as root). */
static const struct cred *creator_cred(void)
{
	return kernel && kernel->current ? kernel->current->cred : NULL;
}

/* inode_init_owner() and mode_strip_sgid() for a new file in dir: the
 * creator's fsuid; the directory's group if it is set-group-ID (which a
 * new directory inherits too), else the creator's fsgid; and a new file's
 * set-group-ID bit dropped when a set-group-ID directory gives it a group
 * the creator is not in (without CAP_FSETID). mode is S_IFMT|perm. */
static void new_owner(struct inode *dir, uint32_t *mode, uint32_t *uid, uint32_t *gid)
{
	const struct cred *c = creator_cred();

	*uid = c ? c->fsuid : 0;
	*gid = c ? c->fsgid : 0;
	if (!(dir->mode & S_ISGID))
		return;
	*gid = dir->gid;
	if (S_ISDIR(*mode)) {
		*mode |= S_ISGID;
	} else if ((*mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && c &&
		   !cred_in_group_of(c, dir->gid) && !cred_capable(c, CAP_FSETID)) {
		*mode &= ~(uint32_t)S_ISGID;
	}
}

static int goferfs_create(struct inode *dir, const char *name, uint32_t mode, struct inode **out)
{
	struct gofer_attr attr;
	uint32_t uid, gid, fid;
	struct inode *ino;
	int fd, rc;

	new_owner(dir, &mode, &uid, &gid);
	rc = gofer_create(GSB(dir)->c, GI(dir)->fid, name, O_RDWR, mode & 07777, uid, gid, &fid,
			  &attr, &fd);
	if (rc < 0)
		return rc;
	ino = goferfs_inode_new(dir->sb, fid, &attr);
	GI(ino)->create_fd = fd;
	*out = ino;
	return 0;
}

static int goferfs_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	struct gofer_attr attr;
	uint32_t uid, gid;

	mode = S_IFDIR | (mode & 07777);
	new_owner(dir, &mode, &uid, &gid);
	return gofer_mkdir(GSB(dir)->c, GI(dir)->fid, name, mode & 07777, uid, gid, &attr);
}

static int goferfs_unlink(struct inode *dir, const char *name)
{
	return gofer_unlink(GSB(dir)->c, GI(dir)->fid, name, 0);
}

static int goferfs_rmdir(struct inode *dir, const char *name)
{
	return gofer_unlink(GSB(dir)->c, GI(dir)->fid, name, AT_REMOVEDIR);
}

static int goferfs_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
			  unsigned int flags)
{
	/* Whiteouts are an overlay's business, not the host's. */
	if (flags & ~(unsigned int)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (odir->sb != ndir->sb)
		return -EXDEV;
	return gofer_rename(GSB(odir)->c, GI(odir)->fid, oname, GI(ndir)->fid, nname, flags);
}

static int goferfs_symlink(struct inode *dir, const char *name, const char *target)
{
	uint32_t mode = S_IFLNK | 0777, uid, gid;
	struct gofer_attr attr;

	new_owner(dir, &mode, &uid, &gid);
	return gofer_symlink(GSB(dir)->c, GI(dir)->fid, name, target, uid, gid, &attr);
}

static int goferfs_link(struct inode *dir, const char *name, struct inode *target)
{
	struct gofer_attr attr;
	int rc;

	if (target->sb != dir->sb || target->iops != &goferfs_iops)
		return -EXDEV;
	rc = gofer_link(GSB(dir)->c, GI(dir)->fid, name, GI(target)->fid, &attr);
	if (rc == 0)
		attr_to_inode(target, &attr); /* nlink and ctime changed */
	return rc;
}

static int goferfs_mknod(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev)
{
	struct gofer_attr attr;
	uint32_t uid, gid;

	if (!S_ISFIFO(mode) && !S_ISSOCK(mode)) {
		/* A device node in the rootfs would open a host device. */
		log_once("goferfs_mknod_dev", "goferfs: device nodes cannot be created (EPERM)");
		return -EPERM;
	}
	new_owner(dir, &mode, &uid, &gid);
	return gofer_mknod(GSB(dir)->c, GI(dir)->fid, name, (mode & S_IFMT) | (mode & 07777), uid,
			   gid, &attr);
}

static int goferfs_setattr(struct inode *ino, const struct vfs_iattr *ia)
{
	struct gofer_setattr sa = { 0 };
	struct gofer_attr attr;
	int rc;

	if (ia->valid & VFS_ATTR_MODE) {
		sa.valid |= GOFER_SETATTR_MODE;
		sa.mode = ia->mode & 07777;
	}
	if (ia->valid & VFS_ATTR_UID) {
		sa.valid |= GOFER_SETATTR_UID;
		sa.uid = ia->uid;
	}
	if (ia->valid & VFS_ATTR_GID) {
		sa.valid |= GOFER_SETATTR_GID;
		sa.gid = ia->gid;
	}
	if (ia->valid & VFS_ATTR_SIZE) {
		if (ia->size < 0)
			return -EINVAL;
		sa.valid |= GOFER_SETATTR_SIZE;
		sa.size = ia->size;
	}
	/* The VFS resolved "now" already: the sandbox's clock decides. */
	if (ia->valid & VFS_ATTR_ATIME) {
		sa.valid |= GOFER_SETATTR_ATIME;
		sa.atime_sec = ia->atime.tv_sec;
		sa.atime_nsec = (uint32_t)ia->atime.tv_nsec;
	}
	if (ia->valid & VFS_ATTR_MTIME) {
		sa.valid |= GOFER_SETATTR_MTIME;
		sa.mtime_sec = ia->mtime.tv_sec;
		sa.mtime_nsec = (uint32_t)ia->mtime.tv_nsec;
	}
	if (!sa.valid)
		return 0;
	int64_t old_size = ino->size;
	rc = gofer_setattr(GSB(ino)->c, GI(ino)->fid, &sa, &attr);
	if (rc == 0) {
		attr_to_inode(ino, &attr);
		/* Mapped pages past a new end must read back as the file. */
		if ((sa.valid & GOFER_SETATTR_SIZE) && ino->cache)
			pagecache_truncate(ino->cache, (uint64_t)old_size, (uint64_t)attr.size);
	}
	return rc;
}

/* Extended attributes: names and permissions were checked by the VFS; the
 * gofer carries user.* and trusted.* (the latter only if the host lets it,
 * else EOPNOTSUPP). */
static ssize_t goferfs_getxattr(struct inode *ino, const char *name, void *buf, size_t size)
{
	return gofer_getxattr(GSB(ino)->c, GI(ino)->fid, name, buf, size);
}

static int goferfs_setxattr(struct inode *ino, const char *name, const void *value, size_t size,
			    int flags)
{
	return gofer_setxattr(GSB(ino)->c, GI(ino)->fid, name, value, size, flags);
}

static ssize_t goferfs_listxattr(struct inode *ino, char *buf, size_t size,
				 bool (*filter)(const char *name, void *arg), void *arg)
{
	_cleanup_free_ char *all = xmalloc(GOFER_XATTR_SIZE_MAX);
	ssize_t n = gofer_listxattr(GSB(ino)->c, GI(ino)->fid, all, GOFER_XATTR_SIZE_MAX);
	size_t used = 0;

	if (n < 0)
		return n;
	for (ssize_t off = 0; off < n;) {
		const char *x = all + off;
		size_t len = strlen(x) + 1; /* the client checked the list */

		off += (ssize_t)len;
		if (filter && !filter(x, arg))
			continue;
		if (size && used + len > size)
			return -ERANGE;
		if (size)
			memcpy(buf + used, x, len);
		used += len;
	}
	return (ssize_t)used;
}

static int goferfs_removexattr(struct inode *ino, const char *name)
{
	return gofer_removexattr(GSB(ino)->c, GI(ino)->fid, name);
}

static int goferfs_statfs(struct superblock *sb, struct statfs *st)
{
	struct goferfs_sb *g = sb->priv;
	struct gofer_statfs gs;
	int rc = gofer_statfs(g->c, g->root_fid, &gs);

	if (rc < 0)
		return rc;
	memset(st, 0, sizeof(*st));
	/* The host's numbers, but the type the sandbox shows for a gofer
	 * mount (V9FS_MAGIC, as runsc) and flags that are the VFS's. */
	st->f_type = 0x01021997;
	st->f_bsize = (long)gs.bsize;
	st->f_blocks = gs.blocks;
	st->f_bfree = gs.bfree;
	st->f_bavail = gs.bavail;
	st->f_files = gs.files;
	st->f_ffree = gs.ffree;
	st->f_namelen = (long)gs.namelen;
	st->f_frsize = (long)gs.frsize;
	return 0;
}

/* A directory has no host fd in the sentry: the gofer syncs it. (Regular
 * files sync their own host fd, with the page cache in front.) */
static int goferfs_dir_fsync(struct file *f, bool datasync)
{
	return gofer_fsync(GSB(f->inode)->c, GI(f->inode)->fid, datasync);
}

static void goferfs_sb_release(struct superblock *sb)
{
	struct goferfs_sb *g = sb->priv;

	if (--g->ninodes > 0)
		return;
	for (size_t i = 0; i < g->map_buckets; i++) {
		struct ino_map_entry *e = g->map[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(g->map);
	free(g);
	sb->priv = NULL;
}

static void goferfs_evict(struct inode *ino)
{
	struct gofer_inode *gi = GI(ino);

	if (!gi)
		return;
	/* A failed clunk only leaks a gofer fid; nothing to report to. */
	gofer_clunk(GSB(ino)->c, gi->fid);
	pagecache_destroy(ino->cache);
	ino->cache = NULL;
	free(gi->link);
	if (gi->create_fd >= 0)
		close(gi->create_fd);
	free(gi);
	ino->priv = NULL;
	goferfs_sb_release(ino->sb);
}

static const struct inode_ops goferfs_iops = {
	.lookup = goferfs_lookup,
	.readlink = goferfs_readlink,
	.getattr = goferfs_getattr,
	.open = goferfs_open,
	.create = goferfs_create,
	.mkdir = goferfs_mkdir,
	.unlink = goferfs_unlink,
	.rmdir = goferfs_rmdir,
	.rename = goferfs_rename,
	.symlink = goferfs_symlink,
	.link = goferfs_link,
	.mknod = goferfs_mknod,
	.setattr = goferfs_setattr,
	.evict = goferfs_evict,
	.getxattr = goferfs_getxattr,
	.setxattr = goferfs_setxattr,
	.listxattr = goferfs_listxattr,
	.removexattr = goferfs_removexattr,
};

/* ---- regular files ---- */

/* The page cache reads and writes the host file through any open file. */
static ssize_t goferfs_pc_read(struct file *f, void *buf, size_t len, uint64_t off)
{
	struct gofer_file *gf = f->priv;
	ssize_t n = pread(gf->fd, buf, len, (off_t)off);

	return n < 0 ? -errno : n;
}

static ssize_t goferfs_pc_write(struct file *f, const void *buf, size_t len, uint64_t off)
{
	struct gofer_file *gf = f->priv;
	ssize_t n = pwrite(gf->fd, buf, len, (off_t)off);

	return n < 0 ? -errno : n;
}

static const struct pagecache_ops goferfs_pc_ops = {
	.read = goferfs_pc_read,
	.write = goferfs_pc_write,
};

static ssize_t goferfs_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct gofer_file *gf = f->priv;
	ssize_t n;

	if (*pos < 0)
		return -EINVAL;
	/* A mapped file: its cached pages may be newer than the host's. */
	if (f->inode->cache) {
		n = pagecache_read(f->inode->cache, f, buf, len, (uint64_t)*pos);
		if (n < 0)
			return n;
	} else {
		n = pread(gf->fd, buf, len, *pos);
		if (n < 0)
			return -errno;
	}
	*pos += n;
	return n;
}

static ssize_t goferfs_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos)
{
	struct gofer_file *gf = f->priv;
	struct inode *ino = f->inode;
	ssize_t n;

	if (*pos < 0)
		return -EINVAL;
	/* With O_APPEND the host fd appends whatever the offset (vfs_write
	 * has already put *pos at the end). */
	n = pwrite(gf->fd, buf, len, *pos);
	if (n < 0)
		return -errno;
	/* Written through: cached pages of a mapped file follow. */
	if (ino->cache)
		pagecache_write_update(ino->cache, buf, (size_t)n, (uint64_t)*pos);
	*pos += n;
	if (*pos > ino->size)
		ino->size = *pos;
	clock_gettime(CLOCK_REALTIME, &ino->mtime);
	ino->ctime = ino->mtime;
	return n;
}

static int64_t goferfs_llseek(struct file *f, int64_t off, int whence)
{
	struct gofer_file *gf = f->priv;
	struct stat st;
	int64_t base, npos;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		if (fstat(gf->fd, &st) < 0)
			return -errno;
		stat_to_inode(f->inode, &st);
		base = st.st_size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		/* The host file system knows where its holes are. */
		npos = lseek(gf->fd, off, whence);
		if (npos < 0)
			return -errno;
		f->pos = npos;
		return npos;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &npos) || npos < 0)
		return -EINVAL;
	f->pos = npos;
	return npos;
}

static unsigned int goferfs_poll(struct file *f, struct task *t, unsigned int events)
{
	/* Regular files are always ready (Linux's DEFAULT_POLLMASK). */
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int goferfs_file_getattr(struct file *f, struct stat *st)
{
	struct gofer_file *gf = f->priv;
	struct stat hst;

	if (fstat(gf->fd, &hst) < 0)
		return -errno;
	stat_to_inode(f->inode, &hst);
	inode_fill_stat(f->inode, st);
	return 0;
}

static void goferfs_file_release(struct file *f)
{
	struct gofer_file *gf = f->priv;

	if (!gf)
		return;
	close(gf->fd);
	free(gf);
	f->priv = NULL;
}

static int goferfs_mmap(struct file *f, struct pagecache **out)
{
	struct gofer_file *gf = f->priv;
	struct inode *ino = f->inode;
	struct stat st;

	/* Mappings stop at the end of the file: know where it is now. */
	if (fstat(gf->fd, &st) == 0)
		stat_to_inode(ino, &st);
	if (!ino->cache)
		ino->cache = pagecache_new(ino, &goferfs_pc_ops);
	*out = ino->cache;
	return 0;
}

static int goferfs_fsync(struct file *f, bool datasync)
{
	struct gofer_file *gf = f->priv;
	int rc = 0;

	if (f->inode->cache)
		rc = pagecache_sync(f->inode->cache, 0, UINT64_MAX);
	if ((datasync ? fdatasync(gf->fd) : fsync(gf->fd)) < 0 && !rc)
		rc = -errno;
	return rc;
}

static const struct file_ops goferfs_file_fops = {
	.read = goferfs_read,
	.write = goferfs_write,
	.llseek = goferfs_llseek,
	.poll = goferfs_poll,
	.getattr = goferfs_file_getattr,
	.release = goferfs_file_release,
	.mmap = goferfs_mmap,
	.fsync = goferfs_fsync,
};

/* ---- directories ---- */

struct readdir_state {
	struct file *f;
	struct dir_context *ctx;
	struct gofer_dir *gd;
	uint64_t dev;
	size_t index;   /* gofer entry index of the next emitted entry */
	size_t target;  /* first index to hand to the actor */
	bool full;
};

static void dir_note_cookie(struct gofer_dir *gd, size_t index, uint64_t cookie)
{
	if (index != gd->ncookies)
		return;
	if (gd->ncookies == gd->cap) {
		gd->cap *= 2;
		gd->cookies = xrealloc(gd->cookies, gd->cap * sizeof(*gd->cookies));
	}
	gd->cookies[gd->ncookies++] = cookie;
}

static int readdir_emit(void *arg, const struct gofer_dirent *de, const char *name)
{
	struct readdir_state *s = arg;
	size_t idx = s->index;

	dir_note_cookie(s->gd, idx + 1, de->next_offset);
	if (idx >= s->target) {
		uint64_t ino = ino_map(GSB(s->f->inode), s->dev, de->ino);

		if (!s->ctx->actor(s->ctx, name, de->namelen, (int64_t)idx + 3, ino, de->type)) {
			s->full = true;
			return 1;
		}
		s->ctx->pos = (int64_t)idx + 3;
	}
	s->index++;
	return 0;
}

static int goferfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct gofer_dir *gd = f->priv;
	struct inode *ino = f->inode;
	struct readdir_state s = { .f = f, .ctx = ctx, .gd = gd, .dev = GI(ino)->host_dev };
	int eof, rc;

	if (ctx->pos < 0)
		return -EINVAL;
	if (ctx->pos == 0) {
		/* A rewind reads the directory afresh. */
		gd->ncookies = 1;
	}
	if (!dir_emit_dots(f, ctx))
		return 0;
	s.target = (size_t)(ctx->pos - 2);
	s.index = MIN(s.target, gd->ncookies - 1);
	rc = gofer_readdir(GSB(ino)->c, GI(ino)->fid, gd->cookies[s.index], readdir_emit, &s, &eof);
	if (rc < 0)
		return rc;
	/* Past the end: later calls start from there and find nothing. */
	return 0;
}

static int goferfs_dir_getattr(struct file *f, struct stat *st)
{
	int rc = goferfs_getattr(f->inode);

	if (rc < 0)
		return rc;
	inode_fill_stat(f->inode, st);
	return 0;
}

static void goferfs_dir_release(struct file *f)
{
	struct gofer_dir *gd = f->priv;

	if (!gd)
		return;
	free(gd->cookies);
	free(gd);
	f->priv = NULL;
}

static const struct file_ops goferfs_dir_fops = {
	.llseek = dcache_dir_llseek,
	.iterate = goferfs_iterate,
	.poll = goferfs_poll,
	.getattr = goferfs_dir_getattr,
	.release = goferfs_dir_release,
	.fsync = goferfs_dir_fsync,
};

/* The root of gofer mount `mount` as a new superblock: a directory, or
 * with file_ok a regular file (a file bind mount). */
static int goferfs_mount(struct gofer_client *c, uint32_t mount, bool file_ok, struct inode **root)
{
	struct gofer_attr attr;
	struct goferfs_sb *g;
	struct superblock *sb;
	uint32_t fid;
	int rc;

	rc = gofer_attach_mount(c, mount, &fid, &attr);
	if (rc < 0)
		return rc;
	if (!S_ISDIR(attr.mode) && !(file_ok && S_ISREG(attr.mode))) {
		gofer_clunk(c, fid);
		return -ENOTDIR;
	}
	g = xzalloc(sizeof(*g));
	g->c = c;
	g->root_fid = fid;
	g->root_dev = attr.dev;
	g->next_remap = INO_REMAP_BASE;
	/* "9p" as runsc shows its gofer-backed mounts in /proc/mounts. */
	sb = sb_new("9p", 0);
	sb->priv = g;
	sb->statfs = goferfs_statfs;
	*root = goferfs_inode_new(sb, fid, &attr);
	sb_put(sb); /* the root inode holds the superblock now */
	return 0;
}

int goferfs_mount_root(struct gofer_client *c, struct inode **root)
{
	return goferfs_mount(c, 0, false, root);
}

int goferfs_mount_bind(struct gofer_client *c, uint32_t mount, struct inode **root)
{
	if (mount == 0)
		return -EINVAL;
	return goferfs_mount(c, mount, true, root);
}

/* Bind roots handed out, for goferfs_mount_spec_binds. */
unsigned int goferfs_spec_binds_attached;

int goferfs_spec_bind_root(struct kernel *k, const struct spec_mount *m, size_t index,
			   struct inode **root)
{
	uint32_t mount;
	int rc;

	if (!k->gofer || !k->spec || index >= k->spec->n_mounts)
		return -EINVAL;
	mount = gofer_bind_index(k->spec, index);
	if (mount == 0)
		return -EINVAL; /* not a bind mount */
	rc = goferfs_mount_bind(k->gofer, mount, root);
	if (rc == 0)
		goferfs_spec_binds_attached++;
	return rc;
}
