/* Path-based syscalls: open, stat, getdents, readlink, cwd/root, access,
 * and the namespace-changing calls (mkdir, unlink, rename, link...), with
 * the error precedence of Linux's fs/namei.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fsnotify.h"
#include "sentry/kernel.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"
#include "syscalls/syscalls.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif

/* ---- open ---- */

static long do_open(struct task *t, int dirfd, uint64_t upath, int flags, uint32_t mode)
{
	_cleanup_free_ char *path = NULL;
	struct file *f;
	int rc, fd;

	rc = copy_path_from_user(t, upath, &path, 0);
	if (rc < 0)
		return rc;
	rc = vfs_open(t, dirfd, path, flags, mode, &f);
	if (rc < 0)
		return rc;
	fd = fd_install(t, 0, f, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

SYSCALL_DEFINE(open, "som")
{
	return do_open(t, AT_FDCWD, a->a[0], (int)a->a[1], (uint32_t)a->a[2]);
}

SYSCALL_DEFINE(openat, "fsom")
{
	return do_open(t, (int)a->a[0], a->a[1], (int)a->a[2], (uint32_t)a->a[3]);
}

SYSCALL_DEFINE(creat, "sm")
{
	return do_open(t, AT_FDCWD, a->a[0], O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)a->a[1]);
}

/* openat2(2): struct open_how, versioned by size as copy_struct_from_user
 * reads it, and checked whole (build_open_flags), unlike openat's
 * flags. */
struct open_how_k {
	uint64_t flags, mode, resolve;
};
#define OPEN_HOW_SIZE_VER0 24
#define RESOLVE_NO_XDEV       0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS   0x04
#define RESOLVE_BENEATH       0x08
#define RESOLVE_IN_ROOT       0x10
#define RESOLVE_CACHED        0x20
#define VALID_RESOLVE_FLAGS   0x3f
/* The kernel's values: glibc's O_LARGEFILE is 0 and its O_TMPFILE
 * includes O_DIRECTORY. */
#define K_O_LARGEFILE   0100000
#define K_O_TMPFILE_BIT 020000000
#define VALID_OPEN_FLAGS                                                                      \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | \
	 FASYNC | O_DIRECT | K_O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | \
	 O_SYNC | O_PATH | K_O_TMPFILE_BIT)
#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)

static int copy_open_how(struct task *t, uint64_t uhow, uint64_t usize, struct open_how_k *how)
{
	int rc;

	if (usize < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	/* A newer libc's larger struct is fine while its extra fields are
	 * zero (check_zeroed_user). */
	for (uint64_t off = sizeof(*how); off < usize; off += 8) {
		uint64_t w = 0;

		rc = copy_from_user(t, &w, uhow + off, MIN(8, usize - off));
		if (rc < 0)
			return rc;
		if (w)
			return -E2BIG;
	}
	return copy_from_user(t, how, uhow, sizeof(*how));
}

/* build_open_flags()'s checks; the RESOLVE_* bits as LOOKUP_* in
 * *lookup. */
static int open_how_flags(const struct open_how_k *how, unsigned int *lookup)
{
	uint64_t flags = how->flags & ~(uint64_t)O_CLOEXEC;

	if (flags & ~(uint64_t)VALID_OPEN_FLAGS)
		return -EINVAL;
	if (how->resolve & ~(uint64_t)VALID_RESOLVE_FLAGS)
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (flags & (O_CREAT | K_O_TMPFILE_BIT)) {
		if (how->mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how->mode) {
		return -EINVAL;
	}
	if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
		return -EINVAL;
	if ((flags & K_O_TMPFILE_BIT) &&
	    (!(flags & O_DIRECTORY) || (flags & O_ACCMODE) == O_RDONLY))
		return -EINVAL;
	if ((flags & O_PATH) && (flags & ~(uint64_t)O_PATH_FLAGS))
		return -EINVAL;
	*lookup = 0;
	if (how->resolve & RESOLVE_NO_XDEV)
		*lookup |= LOOKUP_NO_XDEV;
	if (how->resolve & RESOLVE_NO_MAGICLINKS)
		*lookup |= LOOKUP_NO_MAGICLINKS;
	if (how->resolve & RESOLVE_NO_SYMLINKS)
		*lookup |= LOOKUP_NO_SYMLINKS;
	if (how->resolve & RESOLVE_BENEATH)
		*lookup |= LOOKUP_BENEATH;
	if (how->resolve & RESOLVE_IN_ROOT)
		*lookup |= LOOKUP_IN_ROOT;
	if (how->resolve & RESOLVE_CACHED) {
		/* Linux does not even try these from the cache. */
		if (flags & (O_TRUNC | O_CREAT | K_O_TMPFILE_BIT))
			return -EAGAIN;
		*lookup |= LOOKUP_CACHED;
	}
	return 0;
}

SYSCALL_DEFINE_NR(437, openat2, "fspu")
{
	_cleanup_free_ char *path = NULL;
	struct open_how_k how;
	unsigned int lookup;
	struct file *f;
	int rc, fd;

	rc = copy_open_how(t, a->a[2], a->a[3], &how);
	if (rc < 0)
		return rc;
	rc = open_how_flags(&how, &lookup);
	if (rc < 0)
		return rc;
	rc = copy_path_from_user(t, a->a[1], &path, 0);
	if (rc < 0)
		return rc;
	rc = vfs_open_how(t, (int)a->a[0], path, (int)how.flags, (uint32_t)how.mode, lookup, &f);
	if (rc < 0)
		return rc;
	fd = fd_install(t, 0, f, (int)how.flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

/* ---- stat ---- */

/* mnt_id (may be NULL): the mount ID of what was found (statx's
 * stx_mnt_id), -1 for files outside the tree. */
static int stat_fd(struct task *t, int fd, struct stat *st, int *mnt_id)
{
	struct file *f;
	int rc;

	if (fd == AT_FDCWD) {
		if (mnt_id)
			*mnt_id = t->fs->cwd.mnt->id;
		return vfs_stat_path(&t->fs->cwd, st);
	}
	f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	if (mnt_id)
		*mnt_id = f->path.mnt ? f->path.mnt->id : -1;
	/* An O_PATH file's ops know nothing of attributes: ask the inode. */
	if ((f->flags & O_PATH) && f->path.dentry)
		rc = vfs_stat_path(&f->path, st);
	else
		rc = vfs_fstat(f, st);
	file_put(f);
	return rc;
}

static int do_fstatat_mnt(struct task *t, int dirfd, uint64_t upath, int flags, struct stat *st,
			  int *mnt_id)
{
	_cleanup_free_ char *path = NULL;
	struct path p;
	int rc;

	rc = copy_path_from_user(t, upath, &path, flags & AT_EMPTY_PATH);
	if (rc < 0)
		return rc;
	/* fstat semantics, which also covers files outside the tree
	 * (pipes, sockets). */
	if (!path[0])
		return stat_fd(t, dirfd, st, mnt_id);
	rc = vfs_lookup(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
	if (rc < 0)
		return rc;
	if (mnt_id)
		*mnt_id = p.mnt->id;
	rc = vfs_stat_path(&p, st);
	path_put(&p);
	return rc;
}

static int do_fstatat(struct task *t, int dirfd, uint64_t upath, int flags, struct stat *st)
{
	return do_fstatat_mnt(t, dirfd, upath, flags, st, NULL);
}

static long stat_out(struct task *t, int rc, const struct stat *st, uint64_t ubuf)
{
	if (rc < 0)
		return rc;
	return copy_to_user(t, ubuf, st, sizeof(*st));
}

SYSCALL_DEFINE(stat, "sp")
{
	struct stat st;

	return stat_out(t, do_fstatat(t, AT_FDCWD, a->a[0], 0, &st), &st, a->a[1]);
}

SYSCALL_DEFINE(lstat, "sp")
{
	struct stat st;

	return stat_out(t, do_fstatat(t, AT_FDCWD, a->a[0], AT_SYMLINK_NOFOLLOW, &st), &st, a->a[1]);
}

SYSCALL_DEFINE(fstat, "fp")
{
	int fd = (int)a->a[0];
	struct stat st;

	/* AT_FDCWD means the cwd only to the *at calls. */
	if (fd == AT_FDCWD)
		return -EBADF;
	return stat_out(t, stat_fd(t, fd, &st, NULL), &st, a->a[1]);
}

SYSCALL_DEFINE(newfstatat, "fspx")
{
	int flags = (int)a->a[3];
	struct stat st;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	return stat_out(t, do_fstatat(t, (int)a->a[0], a->a[1], flags, &st), &st, a->a[2]);
}

static struct statx_timestamp statx_ts(struct timespec ts)
{
	return (struct statx_timestamp){ .tv_sec = ts.tv_sec, .tv_nsec = (uint32_t)ts.tv_nsec };
}

SYSCALL_DEFINE(statx, "fsxxp")
{
	int flags = (int)a->a[2];
	unsigned int mask = (unsigned int)a->a[3];
	struct statx sx;
	struct stat st;
	int rc, mnt_id = -1;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	rc = do_fstatat_mnt(t, (int)a->a[0], a->a[1], flags & ~AT_STATX_SYNC_TYPE, &st, &mnt_id);
	if (rc < 0)
		return rc;
	memset(&sx, 0, sizeof(sx));
	/* Everything stat(2) knows and the mount ID (as Linux, whether asked
	 * or not); no birth time. */
	sx.stx_mask = STATX_BASIC_STATS;
	if (mnt_id >= 0) {
		sx.stx_mask |= STATX_MNT_ID;
		sx.stx_mnt_id = (uint64_t)mnt_id;
	}
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime = statx_ts(st.st_atim);
	sx.stx_mtime = statx_ts(st.st_mtim);
	sx.stx_ctime = statx_ts(st.st_ctim);
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return copy_to_user(t, a->a[4], &sx, sizeof(sx));
}

/* ---- getdents ---- */

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

struct linux_dirent {
	unsigned long d_ino;
	unsigned long d_off;
	unsigned short d_reclen;
	char d_name[]; /* then a NUL, padding, and d_type in the last byte */
};

/* Bounds the sentry's staging buffer; getdents may return fewer entries
 * than fit in the caller's buffer. */
#define GETDENTS_MAX_BUF (64 * 1024)

struct getdents_ctx {
	struct dir_context ctx;
	char *buf;
	size_t size, used;
	int error;
	bool old; /* getdents(2)'s struct linux_dirent */
};

static bool filldir(struct dir_context *dctx, const char *name, int namelen, int64_t next_pos,
		    uint64_t ino, unsigned int dtype)
{
	struct getdents_ctx *g = container_of(dctx, struct getdents_ctx, ctx);
	size_t reclen;

	if (g->old)
		reclen = ALIGN_UP(offsetof(struct linux_dirent, d_name) + (size_t)namelen + 2, sizeof(long));
	else
		reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) + (size_t)namelen + 1, 8);
	if (reclen > g->size - g->used) {
		if (!g->used)
			g->error = -EINVAL; /* not even one entry fits */
		return false;
	}
	char *rec = g->buf + g->used;

	memset(rec, 0, reclen);
	if (g->old) {
		struct linux_dirent *d = (struct linux_dirent *)rec;

		d->d_ino = ino;
		d->d_off = (unsigned long)next_pos;
		d->d_reclen = (unsigned short)reclen;
		memcpy(d->d_name, name, (size_t)namelen);
		rec[reclen - 1] = (char)dtype;
	} else {
		struct linux_dirent64 *d = (struct linux_dirent64 *)rec;

		d->d_ino = ino;
		d->d_off = next_pos;
		d->d_reclen = (uint16_t)reclen;
		d->d_type = (uint8_t)dtype;
		memcpy(d->d_name, name, (size_t)namelen);
	}
	g->used += reclen;
	return true;
}

static long do_getdents(struct task *t, int fd, uint64_t ubuf, unsigned int count, bool old)
{
	struct getdents_ctx g = { .ctx.actor = filldir, .old = old };
	struct file *f;
	long rc;

	f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		rc = -EBADF;
		goto out;
	}
	if (!f->ops || !f->ops->iterate) {
		rc = -ENOTDIR;
		goto out;
	}
	g.size = MIN((size_t)count, (size_t)GETDENTS_MAX_BUF);
	g.buf = xmalloc(g.size ? g.size : 1);
	g.ctx.pos = f->pos;
	rc = f->ops->iterate(f, &g.ctx);
	/* iterate_dir() reports every listing, even one at the end. */
	fsnotify_access(f);
	/* Entries already taken from the directory are returned even if
	 * reading further failed, as Linux does. */
	if (g.used) {
		rc = copy_to_user(t, ubuf, g.buf, g.used);
		if (rc == 0)
			rc = (long)g.used;
	} else if (rc == 0) {
		rc = g.error;
	}
	f->pos = g.ctx.pos;
	free(g.buf);
out:
	file_put(f);
	return rc;
}

SYSCALL_DEFINE(getdents64, "fpu")
{
	return do_getdents(t, (int)a->a[0], a->a[1], (unsigned int)a->a[2], false);
}

SYSCALL_DEFINE(getdents, "fpu")
{
	return do_getdents(t, (int)a->a[0], a->a[1], (unsigned int)a->a[2], true);
}

/* ---- readlink ---- */

static long do_readlinkat(struct task *t, int dirfd, uint64_t upath, uint64_t ubuf, int bufsiz)
{
	_cleanup_free_ char *path = NULL, *kbuf = NULL;
	struct inode *ino;
	struct path p;
	long rc;

	if (bufsiz <= 0)
		return -EINVAL;
	rc = copy_path_from_user(t, upath, &path, 1);
	if (rc < 0)
		return rc;
	rc = vfs_lookup(t, dirfd, path, LOOKUP_EMPTY, &p);
	if (rc < 0)
		return rc;
	ino = p.dentry->inode;
	if (!S_ISLNK(ino->mode) || !ino->iops || (!ino->iops->readlink && !ino->iops->readlink_task)) {
		rc = path[0] ? -EINVAL : -ENOENT;
		goto out;
	}
	bufsiz = MIN(bufsiz, PATH_MAX);
	kbuf = xmalloc((size_t)bufsiz);
	if (ino->iops->readlink_task)
		rc = ino->iops->readlink_task(t, ino, kbuf, (size_t)bufsiz);
	else
		rc = ino->iops->readlink(ino, kbuf, (size_t)bufsiz);
	if (rc >= 0) {
		int n = (int)rc;

		rc = copy_to_user(t, ubuf, kbuf, (size_t)n);
		if (rc == 0)
			rc = n;
	}
out:
	path_put(&p);
	return rc;
}

SYSCALL_DEFINE(readlink, "spd")
{
	return do_readlinkat(t, AT_FDCWD, a->a[0], a->a[1], (int)a->a[2]);
}

SYSCALL_DEFINE(readlinkat, "fspd")
{
	return do_readlinkat(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}

/* ---- cwd and root ---- */

SYSCALL_DEFINE(getcwd, "pu")
{
	static const char pfx[] = "(unreachable)";
	const size_t plen = sizeof(pfx) - 1;
	char kbuf[sizeof(pfx) + PATH_MAX];
	char *path = kbuf + plen;
	size_t size = (size_t)a->a[1];
	bool unreachable;
	int len, rc;

	if (d_unhashed(t->fs->cwd.dentry))
		return -ENOENT; /* the cwd was removed */
	len = d_path_ex(&t->fs->cwd, &t->fs->root, path, PATH_MAX, &unreachable);
	if (len < 0)
		return len;
	if (unreachable) {
		/* Outside the task's root: Linux marks the path. */
		path = kbuf;
		memcpy(path, pfx, plen);
		len += (int)plen;
	}
	if (size < (size_t)len + 1)
		return -ERANGE;
	rc = copy_to_user(t, a->a[0], path, (size_t)len + 1);
	return rc < 0 ? rc : len + 1;
}

/* Takes over newp's references. */
static void set_fs_path(struct path *slot, struct path *newp)
{
	struct path old = *slot;

	*slot = *newp;
	path_put(&old);
}

static long chdir_path(struct task *t, struct path *p, bool root)
{
	int rc = vfs_permission(t, p->dentry->inode, MAY_EXEC);

	if (rc == 0 && root && !cred_capable(t->cred, CAP_SYS_CHROOT))
		rc = -EPERM;
	if (rc < 0) {
		path_put(p);
		return rc;
	}
	set_fs_path(root ? &t->fs->root : &t->fs->cwd, p);
	return 0;
}

static long do_chdir(struct task *t, uint64_t upath, bool root)
{
	_cleanup_free_ char *path = NULL;
	struct path p;
	int rc;

	rc = copy_path_from_user(t, upath, &path, 0);
	if (rc < 0)
		return rc;
	rc = vfs_lookup(t, AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (rc < 0)
		return rc;
	return chdir_path(t, &p, root);
}

SYSCALL_DEFINE(chdir, "s")
{
	return do_chdir(t, a->a[0], false);
}

SYSCALL_DEFINE(chroot, "s")
{
	return do_chdir(t, a->a[0], true);
}

SYSCALL_DEFINE(fchdir, "f")
{
	struct file *f = fd_get(t, (int)a->a[0]);
	struct path p;

	if (!f)
		return -EBADF;
	if (!f->path.dentry || !f->path.dentry->inode || !S_ISDIR(f->path.dentry->inode->mode)) {
		file_put(f);
		return -ENOTDIR;
	}
	p = f->path;
	path_get(&p);
	file_put(f);
	return chdir_path(t, &p, false);
}

SYSCALL_DEFINE(umask, "m")
{
	uint32_t old = t->fs->umask;

	t->fs->umask = (uint32_t)a->a[0] & 0777;
	return old;
}

/* ---- access ---- */

static long do_faccessat(struct task *t, int dirfd, uint64_t upath, int mode, int flags)
{
	_cleanup_free_ char *path = NULL;
	const struct cred *c = t->cred;
	struct cred real;
	struct inode *ino;
	struct path p;
	int rc;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!(flags & AT_EACCESS)) {
		/* access(2) checks with the real ids; capabilities only
		 * count for a real root (access_override_creds). */
		real = *t->cred;
		real.fsuid = real.uid;
		real.fsgid = real.gid;
		real.cap_effective = real.uid == 0 ? real.cap_permitted : 0;
		c = &real;
	}
	rc = copy_path_from_user(t, upath, &path, flags & AT_EMPTY_PATH);
	if (rc < 0)
		return rc;
	rc = vfs_lookup_cred(t, c, dirfd, path,
			     ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
				     ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			     &p);
	if (rc < 0)
		return rc;
	ino = p.dentry->inode;
	if (mode == F_OK)
		goto out;
	if ((mode & X_OK) && S_ISREG(ino->mode) && (path_mnt_flags(&p) & MS_NOEXEC)) {
		rc = -EACCES;
		goto out;
	}
	rc = vfs_permission_cred(c, ino, mode);
	/* SuS wants a read-only filesystem reported too. */
	if (rc == 0 && (mode & W_OK) && path_readonly(&p) &&
	    (S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISLNK(ino->mode)))
		rc = -EROFS;
out:
	path_put(&p);
	return rc;
}

SYSCALL_DEFINE(access, "sd")
{
	return do_faccessat(t, AT_FDCWD, a->a[0], (int)a->a[1], 0);
}

SYSCALL_DEFINE(faccessat, "fsd")
{
	return do_faccessat(t, (int)a->a[0], a->a[1], (int)a->a[2], 0);
}

SYSCALL_DEFINE_NR(439, faccessat2, "fsdx")
{
	return do_faccessat(t, (int)a->a[0], a->a[1], (int)a->a[2], (int)a->a[3]);
}

/* ---- creating and removing names ---- */

static bool check_sticky(const struct cred *c, struct inode *dir, struct inode *ino)
{
	if (!c || !(dir->mode & S_ISVTX))
		return false;
	if (c->fsuid == ino->uid || c->fsuid == dir->uid)
		return false;
	return !cred_capable(c, CAP_FOWNER);
}

/* may_delete(): can victim be removed from dir (isdir: by rmdir)? */
static int may_delete(const struct cred *c, struct inode *dir, struct dentry *victim, bool isdir)
{
	struct inode *ino = victim->inode;
	int rc;

	if (!ino)
		return -ENOENT;
	if ((rc = vfs_permission_cred(c, dir, MAY_WRITE | MAY_EXEC)) < 0)
		return rc;
	if (check_sticky(c, dir, ino))
		return -EPERM;
	if (isdir) {
		if (!S_ISDIR(ino->mode))
			return -ENOTDIR;
		if (d_is_root(victim))
			return -EBUSY;
	} else if (S_ISDIR(ino->mode)) {
		return -EISDIR;
	}
	return 0;
}

/* filename_create() + may_create(): resolves the parent of path and
 * returns the (negative) dentry for the new name in *child, or the error
 * Linux gives first: EEXIST, ENOENT for "name/" of a non-directory, EROFS,
 * then EACCES. */
static int filename_create(struct task *t, int dirfd, const char *path, bool is_dir,
			   struct nameidata *nd, struct dentry **child)
{
	struct dentry *d;
	int rc;

	rc = nd_init(nd, t, NULL, dirfd, path, 0);
	if (rc < 0)
		return rc;
	rc = nd_walk(nd, path, true);
	if (rc < 0)
		goto fail;
	if (nd->last_type != LAST_NORM) {
		rc = -EEXIST;
		goto fail;
	}
	d = d_lookup_child(nd->cur.dentry, nd->last, nd->last_len, &rc);
	if (!d)
		goto fail;
	if (d->inode)
		rc = -EEXIST;
	else if (!is_dir && nd->last_slash)
		rc = -ENOENT;
	else if (path_readonly(&nd->cur))
		rc = -EROFS;
	else
		rc = vfs_permission_cred(nd->cred, nd->cur.dentry->inode, MAY_WRITE | MAY_EXEC);
	if (rc < 0) {
		dentry_put(d);
		goto fail;
	}
	*child = d;
	return 0;
fail:
	nd_release(nd);
	return rc;
}

static long do_mkdirat(struct task *t, int dirfd, uint64_t upath, uint32_t mode)
{
	_cleanup_free_ char *path = NULL;
	struct nameidata nd;
	struct dentry *child;
	struct inode *dir;
	int rc;

	rc = copy_path_from_user(t, upath, &path, 0);
	if (rc < 0)
		return rc;
	rc = filename_create(t, dirfd, path, true, &nd, &child);
	if (rc < 0)
		return rc;
	dir = nd.cur.dentry->inode;
	if (!dir->iops || !dir->iops->mkdir) {
		rc = -EPERM;
	} else {
		mode = (mode & (0777 | S_ISVTX)) & ~t->fs->umask;
		rc = dir->iops->mkdir(dir, nd.last, mode | S_IFDIR);
		if (rc == 0) {
			d_drop(child); /* the next lookup finds the new directory */
			fsnotify_create(dir, nd.last, true);
		}
	}
	dentry_put(child);
	nd_release(&nd);
	return rc;
}

SYSCALL_DEFINE(mkdir, "sm")
{
	return do_mkdirat(t, AT_FDCWD, a->a[0], (uint32_t)a->a[1]);
}

SYSCALL_DEFINE(mkdirat, "fsm")
{
	return do_mkdirat(t, (int)a->a[0], a->a[1], (uint32_t)a->a[2]);
}

static long do_mknodat(struct task *t, int dirfd, uint64_t upath, uint32_t mode, uint64_t dev)
{
	_cleanup_free_ char *path = NULL;
	struct nameidata nd;
	struct dentry *child;
	struct inode *dir, *ino;
	int rc;

	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	rc = copy_path_from_user(t, upath, &path, 0);
	if (rc < 0)
		return rc;
	rc = filename_create(t, dirfd, path, false, &nd, &child);
	if (rc < 0)
		return rc;
	dir = nd.cur.dentry->inode;
	mode = (mode & S_IFMT) | ((mode & 07777) & ~t->fs->umask);
	if (S_ISREG(mode)) {
		/* vfs_create(): a directory that cannot create says EACCES. */
		if (!dir->iops || !dir->iops->create) {
			rc = -EACCES;
		} else if ((rc = dir->iops->create(dir, nd.last, mode, &ino)) == 0) {
			d_instantiate(child, ino);
			inode_put(ino);
			fsnotify_create(dir, nd.last, false);
		}
	} else if ((S_ISCHR(mode) || S_ISBLK(mode)) && !cred_capable(t->cred, CAP_MKNOD)) {
		rc = -EPERM;
	} else if (!dir->iops || !dir->iops->mknod) {
		rc = -EPERM;
	} else if ((rc = dir->iops->mknod(dir, nd.last, mode, dev)) == 0) {
		d_drop(child);
		fsnotify_create(dir, nd.last, false);
	}
	dentry_put(child);
	nd_release(&nd);
	return rc;
}

SYSCALL_DEFINE(mknod, "smx")
{
	return do_mknodat(t, AT_FDCWD, a->a[0], (uint32_t)a->a[1], a->a[2]);
}

SYSCALL_DEFINE(mknodat, "fsmx")
{
	return do_mknodat(t, (int)a->a[0], a->a[1], (uint32_t)a->a[2], a->a[3]);
}

static long do_symlinkat(struct task *t, uint64_t utarget, int dirfd, uint64_t upath)
{
	_cleanup_free_ char *target = NULL, *path = NULL;
	struct nameidata nd;
	struct dentry *child;
	struct inode *dir;
	int rc;

	rc = copy_path_from_user(t, utarget, &target, 0);
	if (rc < 0)
		return rc;
	rc = copy_path_from_user(t, upath, &path, 0);
	if (rc < 0)
		return rc;
	rc = filename_create(t, dirfd, path, false, &nd, &child);
	if (rc < 0)
		return rc;
	dir = nd.cur.dentry->inode;
	if (!dir->iops || !dir->iops->symlink)
		rc = -EPERM;
	else if ((rc = dir->iops->symlink(dir, nd.last, target)) == 0) {
		d_drop(child);
		fsnotify_create(dir, nd.last, false);
	}
	dentry_put(child);
	nd_release(&nd);
	return rc;
}

SYSCALL_DEFINE(symlink, "ss")
{
	return do_symlinkat(t, a->a[0], AT_FDCWD, a->a[1]);
}

SYSCALL_DEFINE(symlinkat, "sfs")
{
	return do_symlinkat(t, a->a[0], (int)a->a[1], a->a[2]);
}

static long do_linkat(struct task *t, int olddirfd, uint64_t uold, int newdirfd, uint64_t unew,
		      int flags)
{
	_cleanup_free_ char *oldpath = NULL, *newpath = NULL;
	struct nameidata nd;
	struct dentry *child;
	struct inode *dir, *src;
	struct path old;
	int rc;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* Linking an fd into the tree needs the DAC-bypass capability. */
	if ((flags & AT_EMPTY_PATH) && !cred_capable(t->cred, CAP_DAC_READ_SEARCH))
		return -ENOENT;
	rc = copy_path_from_user(t, uold, &oldpath, flags & AT_EMPTY_PATH);
	if (rc < 0)
		return rc;
	rc = copy_path_from_user(t, unew, &newpath, 0);
	if (rc < 0)
		return rc;
	rc = vfs_lookup(t, olddirfd, oldpath,
			((flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0) |
				((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			&old);
	if (rc < 0)
		return rc;
	rc = filename_create(t, newdirfd, newpath, false, &nd, &child);
	if (rc < 0)
		goto out;
	dir = nd.cur.dentry->inode;
	src = old.dentry->inode;
	if (old.mnt != nd.cur.mnt)
		rc = -EXDEV;
	else if (!dir->iops || !dir->iops->link)
		rc = -EPERM;
	else if (S_ISDIR(src->mode))
		rc = -EPERM;
	else if (src->nlink == 0 && src->i_unlinkable)
		rc = -ENOENT;
	else if ((rc = dir->iops->link(dir, nd.last, src)) == 0) {
		d_instantiate(child, src);
		/* fsnotify_link(): the count first, then the new entry. */
		fsnotify_link_count(src);
		fsnotify_create(dir, nd.last, false);
	}
	dentry_put(child);
	nd_release(&nd);
out:
	path_put(&old);
	return rc;
}

SYSCALL_DEFINE(link, "ss")
{
	return do_linkat(t, AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0);
}

SYSCALL_DEFINE(linkat, "fsfsx")
{
	return do_linkat(t, (int)a->a[0], a->a[1], (int)a->a[2], a->a[3], (int)a->a[4]);
}

/* Resolves the parent of path for a removal; the victim in *victim. */
static int lookup_victim(struct task *t, int dirfd, const char *path, struct nameidata *nd,
			 struct dentry **victim)
{
	int rc = nd_init(nd, t, NULL, dirfd, path, 0);

	if (rc < 0)
		return rc;
	rc = nd_walk(nd, path, true);
	if (rc < 0) {
		nd_release(nd);
		return rc;
	}
	*victim = NULL;
	return 0;
}

/* Removes nd->last (victim) from dir, then what vfs_unlink/vfs_rmdir
 * tell fsnotify: the link count, the inode's deletion if it was its last
 * name, the directory entry. */
static int unlink_notify(struct inode *dir, struct nameidata *nd, struct dentry *victim,
			 bool rmdir)
{
	struct inode *ino = inode_get(victim->inode);
	uint32_t nlink = ino->nlink;
	int rc = rmdir ? dir->iops->rmdir(dir, nd->last) : dir->iops->unlink(dir, nd->last);

	if (rc == 0) {
		d_drop(victim);
		if (!rmdir)
			fsnotify_link_count(ino);
		/* Filesystems that learn the count from elsewhere (the
		 * gofer, the overlay's layers) may not have updated it: one
		 * link before means none now. */
		fsnotify_unlinked(victim, rmdir || nlink <= 1 || ino->nlink == 0);
		fsnotify_delete(dir, nd->last, rmdir);
	}
	inode_put(ino);
	return rc;
}

static long do_unlinkat(struct task *t, int dirfd, const char *path)
{
	struct nameidata nd;
	struct dentry *victim;
	struct inode *dir;
	int rc;

	rc = lookup_victim(t, dirfd, path, &nd, &victim);
	if (rc < 0)
		return rc;
	dir = nd.cur.dentry->inode;
	if (nd.last_type != LAST_NORM) {
		rc = -EISDIR;
		goto out;
	}
	if (path_readonly(&nd.cur)) {
		rc = -EROFS;
		goto out;
	}
	victim = d_lookup_child(nd.cur.dentry, nd.last, nd.last_len, &rc);
	if (!victim)
		goto out;
	if (nd.last_slash || !victim->inode) {
		/* "name/" names a directory, whatever is there. */
		rc = !victim->inode ? -ENOENT : S_ISDIR(victim->inode->mode) ? -EISDIR : -ENOTDIR;
		goto out;
	}
	if ((rc = may_delete(nd.cred, dir, victim, false)) < 0)
		goto out;
	if (victim->mounted)
		rc = -EBUSY;
	else if (!dir->iops || !dir->iops->unlink)
		rc = -EPERM;
	else
		rc = unlink_notify(dir, &nd, victim, false);
out:
	dentry_put(victim);
	nd_release(&nd);
	return rc;
}

static long do_rmdirat(struct task *t, int dirfd, const char *path)
{
	struct nameidata nd;
	struct dentry *victim;
	struct inode *dir;
	int rc;

	rc = lookup_victim(t, dirfd, path, &nd, &victim);
	if (rc < 0)
		return rc;
	dir = nd.cur.dentry->inode;
	switch (nd.last_type) {
	case LAST_DOTDOT:
		rc = -ENOTEMPTY;
		goto out;
	case LAST_DOT:
		rc = -EINVAL;
		goto out;
	case LAST_ROOT:
		rc = -EBUSY;
		goto out;
	case LAST_NORM:
		break;
	}
	if (path_readonly(&nd.cur)) {
		rc = -EROFS;
		goto out;
	}
	victim = d_lookup_child(nd.cur.dentry, nd.last, nd.last_len, &rc);
	if (!victim)
		goto out;
	if ((rc = may_delete(nd.cred, dir, victim, true)) < 0)
		goto out;
	if (victim->mounted)
		rc = -EBUSY;
	else if (!dir->iops || !dir->iops->rmdir)
		rc = -EPERM;
	else
		rc = unlink_notify(dir, &nd, victim, true);
out:
	dentry_put(victim);
	nd_release(&nd);
	return rc;
}

static long path_op(struct task *t, int dirfd, uint64_t upath, bool rmdir)
{
	_cleanup_free_ char *path = NULL;
	int rc = copy_path_from_user(t, upath, &path, 0);

	if (rc < 0)
		return rc;
	return rmdir ? do_rmdirat(t, dirfd, path) : do_unlinkat(t, dirfd, path);
}

SYSCALL_DEFINE(unlink, "s")
{
	return path_op(t, AT_FDCWD, a->a[0], false);
}

SYSCALL_DEFINE(rmdir, "s")
{
	return path_op(t, AT_FDCWD, a->a[0], true);
}

SYSCALL_DEFINE(unlinkat, "fsx")
{
	int flags = (int)a->a[2];

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return path_op(t, (int)a->a[0], a->a[1], flags & AT_REMOVEDIR);
}

/* True if a is d or one of its ancestors (within one mount). */
static bool is_ancestor(struct dentry *a, struct dentry *d)
{
	for (;;) {
		if (d == a)
			return true;
		if (d_is_root(d))
			return false;
		d = d->parent;
	}
}

static long do_renameat2(struct task *t, int olddirfd, uint64_t uold, int newdirfd, uint64_t unew,
			 unsigned int flags)
{
	_cleanup_free_ char *oldpath = NULL, *newpath = NULL;
	struct nameidata ond, nnd;
	struct dentry *od = NULL, *nd_ = NULL;
	struct inode *odir, *ndir, *src, *target;
	uint32_t tnlink;
	bool isdir;
	int rc;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	/* Whiteouts need no CAP_MKNOD since Linux 5.8. */
	rc = copy_path_from_user(t, uold, &oldpath, 0);
	if (rc < 0)
		return rc;
	rc = copy_path_from_user(t, unew, &newpath, 0);
	if (rc < 0)
		return rc;
	rc = lookup_victim(t, olddirfd, oldpath, &ond, &od);
	if (rc < 0)
		return rc;
	rc = lookup_victim(t, newdirfd, newpath, &nnd, &nd_);
	if (rc < 0) {
		nd_release(&ond);
		return rc;
	}
	odir = ond.cur.dentry->inode;
	ndir = nnd.cur.dentry->inode;
	if (ond.cur.mnt != nnd.cur.mnt) {
		rc = -EXDEV;
		goto out;
	}
	if (ond.last_type != LAST_NORM) {
		rc = -EBUSY;
		goto out;
	}
	if (nnd.last_type != LAST_NORM) {
		rc = (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
		goto out;
	}
	if (path_readonly(&ond.cur)) {
		rc = -EROFS;
		goto out;
	}
	od = d_lookup_child(ond.cur.dentry, ond.last, ond.last_len, &rc);
	if (!od)
		goto out;
	if (!od->inode) {
		rc = -ENOENT;
		goto out;
	}
	nd_ = d_lookup_child(nnd.cur.dentry, nnd.last, nnd.last_len, &rc);
	if (!nd_)
		goto out;
	if ((flags & RENAME_EXCHANGE) && !nd_->inode) {
		rc = -ENOENT;
		goto out;
	}
	if ((flags & RENAME_NOREPLACE) && nd_->inode) {
		rc = -EEXIST;
		goto out;
	}
	src = od->inode;
	isdir = S_ISDIR(src->mode);
	rc = -ENOTDIR;
	if (!isdir && (ond.last_slash || (!(flags & RENAME_EXCHANGE) && nnd.last_slash)))
		goto out;
	if ((flags & RENAME_EXCHANGE) && !S_ISDIR(nd_->inode->mode) && nnd.last_slash)
		goto out;
	/* A directory cannot move below itself, nor replace an ancestor. */
	if (is_ancestor(od, nnd.cur.dentry)) {
		rc = -EINVAL;
		goto out;
	}
	if (nd_->inode && is_ancestor(nd_, ond.cur.dentry)) {
		rc = (flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
		goto out;
	}
	rc = 0;
	if (src == nd_->inode)
		goto out; /* two names of one file: nothing to do */
	if ((rc = may_delete(ond.cred, odir, od, isdir)) < 0)
		goto out;
	if (nd_->inode) {
		bool nisdir = (flags & RENAME_EXCHANGE) ? S_ISDIR(nd_->inode->mode) : isdir;

		if ((rc = may_delete(nnd.cred, ndir, nd_, nisdir)) < 0)
			goto out;
	} else if ((rc = vfs_permission_cred(nnd.cred, ndir, MAY_WRITE | MAY_EXEC)) < 0) {
		goto out;
	}
	/* A directory changing parent rewrites its "..". */
	if (isdir && odir != ndir && (rc = vfs_permission_cred(ond.cred, src, MAY_WRITE)) < 0)
		goto out;
	if (od->mounted || nd_->mounted) {
		rc = -EBUSY;
		goto out;
	}
	if (!odir->iops || !odir->iops->rename) {
		rc = -EPERM;
		goto out;
	}
	target = nd_->inode ? inode_get(nd_->inode) : NULL;
	tnlink = target ? target->nlink : 0;
	rc = odir->iops->rename(odir, ond.last, ndir, nnd.last, flags);
	if (rc == 0) {
		if (flags & RENAME_EXCHANGE) {
			d_drop(od);
			d_drop(nd_);
			fsnotify_move(odir, ond.last, ndir, nnd.last, isdir, NULL, src);
			fsnotify_move(ndir, nnd.last, odir, ond.last, S_ISDIR(target->mode), NULL,
				      target);
		} else {
			d_move(od, nnd.cur.dentry, nnd.last, nnd.last_len);
			fsnotify_move(odir, ond.last, ndir, nnd.last, isdir, target, src);
			if (target)
				fsnotify_unlinked(nd_, isdir || tnlink <= 1 || target->nlink == 0);
		}
	}
	inode_put(target);
out:
	dentry_put(od);
	dentry_put(nd_);
	nd_release(&ond);
	nd_release(&nnd);
	return rc;
}

SYSCALL_DEFINE(rename, "ss")
{
	return do_renameat2(t, AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0);
}

SYSCALL_DEFINE(renameat, "fsfs")
{
	return do_renameat2(t, (int)a->a[0], a->a[1], (int)a->a[2], a->a[3], 0);
}

SYSCALL_DEFINE(renameat2, "fsfsx")
{
	return do_renameat2(t, (int)a->a[0], a->a[1], (int)a->a[2], a->a[3], (unsigned int)a->a[4]);
}

/* ---- attributes: chmod, chown, truncate, utimes ---- */

static long setattr_at(struct task *t, int dirfd, uint64_t upath, unsigned int lookup_flags,
		       struct vfs_iattr *ia)
{
	_cleanup_free_ char *path = NULL;
	struct path p;
	int rc;

	rc = copy_path_from_user(t, upath, &path, lookup_flags & LOOKUP_EMPTY);
	if (rc < 0)
		return rc;
	rc = vfs_lookup(t, dirfd, path, lookup_flags, &p);
	if (rc < 0)
		return rc;
	rc = vfs_setattr(t, &p, ia);
	path_put(&p);
	return rc;
}

static long do_fchmodat(struct task *t, int dirfd, uint64_t upath, uint32_t mode, int flags)
{
	struct vfs_iattr ia = { .valid = VFS_ATTR_MODE, .mode = mode & 07777 };
	_cleanup_free_ char *path = NULL;
	struct path p;
	int rc;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	rc = copy_path_from_user(t, upath, &path, flags & AT_EMPTY_PATH);
	if (rc < 0)
		return rc;
	rc = vfs_lookup(t, dirfd, path,
			((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
				((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			&p);
	if (rc < 0)
		return rc;
	/* Symlink modes mean nothing; Linux refuses to set them. */
	if (S_ISLNK(p.dentry->inode->mode))
		rc = -EOPNOTSUPP;
	else
		rc = vfs_setattr(t, &p, &ia);
	path_put(&p);
	return rc;
}

SYSCALL_DEFINE(chmod, "sm")
{
	return do_fchmodat(t, AT_FDCWD, a->a[0], (uint32_t)a->a[1], 0);
}

SYSCALL_DEFINE(fchmodat, "fsm")
{
	return do_fchmodat(t, (int)a->a[0], a->a[1], (uint32_t)a->a[2], 0);
}

SYSCALL_DEFINE_NR(452, fchmodat2, "fsmx")
{
	return do_fchmodat(t, (int)a->a[0], a->a[1], (uint32_t)a->a[2], (int)a->a[3]);
}

/* fchmod/fchown: the attributes of an open file's inode. O_PATH files
 * have none to change (EBADF); files outside the tree (pipes, sockets)
 * have no attributes the sandbox keeps (EPERM, logged). */
static long setattr_fd(struct task *t, int fd, struct vfs_iattr *ia)
{
	struct file *f = fd_get(t, fd);
	long rc;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		rc = -EBADF;
	else if (!f->path.dentry || !f->path.dentry->inode) {
		log_once("setattr_anon", "fchmod/fchown on a pipe or socket is not supported (EPERM)");
		rc = -EPERM;
	} else
		rc = vfs_setattr(t, &f->path, ia);
	file_put(f);
	return rc;
}

SYSCALL_DEFINE(fchmod, "dm")
{
	struct vfs_iattr ia = { .valid = VFS_ATTR_MODE, .mode = (uint32_t)a->a[1] & 07777 };

	return setattr_fd(t, (int)a->a[0], &ia);
}

SYSCALL_DEFINE(fchown, "ddd")
{
	struct vfs_iattr ia = { .uid = (uint32_t)a->a[1], .gid = (uint32_t)a->a[2] };

	if (ia.uid != (uint32_t)-1)
		ia.valid |= VFS_ATTR_UID;
	if (ia.gid != (uint32_t)-1)
		ia.valid |= VFS_ATTR_GID;
	return setattr_fd(t, (int)a->a[0], &ia);
}

static long do_fchownat(struct task *t, int dirfd, uint64_t upath, uint32_t uid, uint32_t gid,
			int flags)
{
	struct vfs_iattr ia = { .uid = uid, .gid = gid };

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* -1 leaves an id unchanged. */
	if (uid != (uint32_t)-1)
		ia.valid |= VFS_ATTR_UID;
	if (gid != (uint32_t)-1)
		ia.valid |= VFS_ATTR_GID;
	return setattr_at(t, dirfd, upath,
			  ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
				  ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			  &ia);
}

SYSCALL_DEFINE(chown, "sdd")
{
	return do_fchownat(t, AT_FDCWD, a->a[0], (uint32_t)a->a[1], (uint32_t)a->a[2], 0);
}

SYSCALL_DEFINE(lchown, "sdd")
{
	return do_fchownat(t, AT_FDCWD, a->a[0], (uint32_t)a->a[1], (uint32_t)a->a[2],
			   AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE(fchownat, "fsddx")
{
	return do_fchownat(t, (int)a->a[0], a->a[1], (uint32_t)a->a[2], (uint32_t)a->a[3],
			   (int)a->a[4]);
}

SYSCALL_DEFINE(truncate, "sl")
{
	struct vfs_iattr ia = { .valid = VFS_ATTR_SIZE, .size = (int64_t)a->a[1] };
	_cleanup_free_ char *path = NULL;
	struct inode *ino;
	struct path p;
	int rc;

	if (ia.size < 0)
		return -EINVAL;
	rc = copy_path_from_user(t, a->a[0], &path, 0);
	if (rc < 0)
		return rc;
	rc = vfs_lookup(t, AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (rc < 0)
		return rc;
	ino = p.dentry->inode;
	if (S_ISDIR(ino->mode))
		rc = -EISDIR;
	else if (!S_ISREG(ino->mode))
		rc = -EINVAL;
	else if (path_readonly(&p))
		rc = -EROFS;
	else if ((rc = vfs_permission(t, ino, MAY_WRITE)) == 0)
		rc = vfs_setattr(t, &p, &ia);
	path_put(&p);
	return rc;
}

/* The common part of utimensat/utimes/utime: ts NULL means "now" for
 * both (UTIME_NOW/UTIME_OMIT already resolved by the caller otherwise). */
static long do_utimes(struct task *t, int dirfd, uint64_t upath, const struct timespec *ts,
		      int flags)
{
	struct vfs_iattr ia = { .valid = VFS_ATTR_ATIME | VFS_ATTR_MTIME };
	struct timespec now;
	struct file *f;
	long rc;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);
	ia.atime = ia.mtime = now;
	if (ts) {
		if (ts[0].tv_nsec == UTIME_OMIT)
			ia.valid &= ~(unsigned int)VFS_ATTR_ATIME;
		else if (ts[0].tv_nsec != UTIME_NOW)
			ia.atime = ts[0], ia.valid |= VFS_ATTR_TIMES_SET;
		if (ts[1].tv_nsec == UTIME_OMIT)
			ia.valid &= ~(unsigned int)VFS_ATTR_MTIME;
		else if (ts[1].tv_nsec != UTIME_NOW)
			ia.mtime = ts[1], ia.valid |= VFS_ATTR_TIMES_SET;
		if (!(ia.valid & (VFS_ATTR_ATIME | VFS_ATTR_MTIME)))
			return 0; /* both UTIME_OMIT */
	}
	if (upath)
		return setattr_at(t, dirfd, upath,
				  ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
					  ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
				  &ia);
	/* utimensat(fd, NULL, ...) is futimens(fd). */
	if (flags & AT_SYMLINK_NOFOLLOW)
		return -EINVAL;
	f = fd_get(t, dirfd);
	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		file_put(f);
		return -EBADF;
	}
	/* Files outside the tree (pipes, sockets) have no attributes the
	 * sandbox can change. */
	rc = f->path.dentry ? vfs_setattr(t, &f->path, &ia) : -EPERM;
	file_put(f);
	return rc;
}

static bool nsec_valid(long nsec)
{
	return nsec == UTIME_NOW || nsec == UTIME_OMIT || (nsec >= 0 && nsec <= 999999999);
}

SYSCALL_DEFINE(utimensat, "fspx")
{
	struct timespec ts[2];
	int rc;

	if (a->a[2]) {
		rc = copy_from_user(t, ts, a->a[2], sizeof(ts));
		if (rc < 0)
			return rc;
		if (!nsec_valid(ts[0].tv_nsec) || !nsec_valid(ts[1].tv_nsec))
			return -EINVAL;
	}
	return do_utimes(t, (int)a->a[0], a->a[1], a->a[2] ? ts : NULL, (int)a->a[3]);
}

static long do_futimesat(struct task *t, int dirfd, uint64_t upath, uint64_t utv)
{
	struct timeval tv[2];
	struct timespec ts[2];
	int rc;

	if (!utv)
		return do_utimes(t, dirfd, upath, NULL, 0);
	rc = copy_from_user(t, tv, utv, sizeof(tv));
	if (rc < 0)
		return rc;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return do_utimes(t, dirfd, upath, ts, 0);
}

SYSCALL_DEFINE(utimes, "sp")
{
	return do_futimesat(t, AT_FDCWD, a->a[0], a->a[1]);
}

SYSCALL_DEFINE(futimesat, "fsp")
{
	return do_futimesat(t, (int)a->a[0], a->a[1], a->a[2]);
}

SYSCALL_DEFINE(utime, "sp")
{
	struct utimbuf_k {
		int64_t actime, modtime;
	} ub;
	struct timespec ts[2];
	int rc;

	if (!a->a[1])
		return do_utimes(t, AT_FDCWD, a->a[0], NULL, 0);
	rc = copy_from_user(t, &ub, a->a[1], sizeof(ub));
	if (rc < 0)
		return rc;
	ts[0] = (struct timespec){ .tv_sec = ub.actime };
	ts[1] = (struct timespec){ .tv_sec = ub.modtime };
	return do_utimes(t, AT_FDCWD, a->a[0], ts, 0);
}
