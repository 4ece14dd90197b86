/* The gofer's serve loop: one request in, one reply out.
 *
 * Escaping the rootfs (or a bind mount's root) is impossible by
 * construction: the sentry never sends a path, only one component at a
 * time (never "..", never with '/'), each resolved relative to an fd
 * already inside the tree with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, so no host
 * symlink is ever followed. Files are reopened by name under their parent
 * with O_NOFOLLOW and their identity (dev, ino) checked again, so a name
 * swapped for a symlink or another file after the walk yields ELOOP or
 * ESTALE, never that other file. Write operations work the same way:
 * creation and removal name one component under a directory fid, LINK takes
 * its target as a fid (so nothing outside the tree can be linked in), and
 * attribute changes act on the fid's own O_PATH fd (AT_EMPTY_PATH).
 *
 * The gofer acts with its own credentials; the sentry has already checked
 * permissions against the workload's, and tells CREATE, MKDIR, MKNOD and
 * SYMLINK which owner to give the new file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "gofer/fidtable.h"
#include "gofer/protocol.h"
#include "gofer/server.h"
#include "runsc/log.h"
#include "runsc/util.h"

#define GETDENTS_BUF_SIZE 32768
/* Linux's XATTR_LIST_MAX: the most listxattr(2) ever returns. */
#define HOST_XATTR_LIST_MAX 65536
/* fchmodat2(2) (Linux 6.6), missing from older headers. */
#define NR_fchmodat2 452

struct gofer_server {
	int sock;
	struct gofer_mount *mounts;  /* fds owned (duplicated) */
	size_t nmounts;
	bool trusted_xattrs; /* the host lets us use trusted.* */
	struct gofer_fidtable fids;
	uint8_t *msg;        /* one request, then its reply */
	uint8_t *dents;      /* packed READDIR entries */
	uint8_t *getdents;   /* getdents64 results */
	uint8_t *xattr;      /* GETXATTR values, LISTXATTR lists */
	char *xlist;         /* the host's full listxattr */
};

static const char *msg_name(uint32_t type)
{
	static const char *const names[] = {
		[GOFER_MSG_ATTACH] = "attach", [GOFER_MSG_WALK] = "walk",
		[GOFER_MSG_GETATTR] = "getattr", [GOFER_MSG_OPEN] = "open",
		[GOFER_MSG_READLINK] = "readlink", [GOFER_MSG_READDIR] = "readdir",
		[GOFER_MSG_CLUNK] = "clunk", [GOFER_MSG_CREATE] = "create",
		[GOFER_MSG_MKDIR] = "mkdir", [GOFER_MSG_UNLINK] = "unlink",
		[GOFER_MSG_RENAME] = "rename", [GOFER_MSG_SYMLINK] = "symlink",
		[GOFER_MSG_LINK] = "link", [GOFER_MSG_SETATTR] = "setattr",
		[GOFER_MSG_MKNOD] = "mknod", [GOFER_MSG_FSYNC] = "fsync",
		[GOFER_MSG_STATFS] = "statfs", [GOFER_MSG_GETXATTR] = "getxattr",
		[GOFER_MSG_SETXATTR] = "setxattr", [GOFER_MSG_LISTXATTR] = "listxattr",
		[GOFER_MSG_REMOVEXATTR] = "removexattr",
	};
	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "?";
}

static void stat_to_attr(const struct stat *st, struct gofer_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = st->st_ino;
	a->dev = st->st_dev;
	a->mode = st->st_mode;
	a->nlink = (uint32_t)st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->rdev = st->st_rdev;
	a->size = st->st_size;
	a->blocks = st->st_blocks;
	a->blksize = (uint32_t)st->st_blksize;
	a->atime_sec = st->st_atim.tv_sec;
	a->atime_nsec = (uint32_t)st->st_atim.tv_nsec;
	a->mtime_sec = st->st_mtim.tv_sec;
	a->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	a->ctime_sec = st->st_ctim.tv_sec;
	a->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
}

/* The file an O_PATH fd names, itself (a symlink is not followed). */
static int path_fd_stat(int fd, struct stat *st)
{
	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int dup_fd(int fd)
{
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return nfd < 0 ? -errno : nfd;
}

/* Adds a fid for f (taken; st describes its O_PATH fd) and describes it
 * in fid and attr. */
static int fid_install(struct gofer_server *s, struct gofer_fid *f, const struct stat *st,
		       uint32_t *fid, struct gofer_attr *attr)
{
	f->mode = st->st_mode & S_IFMT;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	stat_to_attr(st, attr);
	int ret = gofer_fidtable_insert(&s->fids, f, fid);
	if (ret < 0)
		gofer_fid_free(f);
	return ret;
}

static struct gofer_fid *fid_get(struct gofer_server *s, uint32_t fid)
{
	return gofer_fidtable_lookup(&s->fids, fid);
}

/* A directory fid, or NULL and *err. */
static struct gofer_fid *dir_get(struct gofer_server *s, uint32_t fid, int *err)
{
	struct gofer_fid *d = fid_get(s, fid);

	if (!d)
		*err = -EBADF;
	else if (!S_ISDIR(d->mode))
		*err = -ENOTDIR;
	return d && S_ISDIR(d->mode) ? d : NULL;
}

/* The fid a write request changes, or NULL and *err: -EBADF for an
 * unknown fid, then -EROFS on a read-only mount. */
static struct gofer_fid *fid_get_write(struct gofer_server *s, uint32_t fid, int *err)
{
	struct gofer_fid *f = fid_get(s, fid);

	if (!f)
		*err = -EBADF;
	else if (f->readonly)
		*err = -EROFS;
	return f && !f->readonly ? f : NULL;
}

/* The directory a write request changes a name in, or NULL and *err:
 * -EBADF, -ENOTDIR, then -EROFS. */
static struct gofer_fid *dir_get_write(struct gofer_server *s, uint32_t fid, int *err)
{
	struct gofer_fid *d = dir_get(s, fid, err);

	if (d && d->readonly) {
		*err = -EROFS;
		return NULL;
	}
	return d;
}

static int do_attach(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	const struct gofer_mount *m;
	struct gofer_fid *f;
	struct stat st, pst;
	int ret;

	if (req->attach.mount >= s->nmounts)
		return -ENOENT;
	m = &s->mounts[req->attach.mount];
	f = gofer_fid_new();
	f->mount = req->attach.mount;
	f->readonly = m->readonly;
	f->fd = dup_fd(m->fd);
	ret = f->fd < 0 ? f->fd : path_fd_stat(f->fd, &st);
	if (ret == 0 && !S_ISDIR(st.st_mode)) {
		/* A file bind: reopened by name under its host directory. */
		if (!S_ISREG(st.st_mode) || m->parent_fd < 0 || !m->name) {
			ret = -ENOTDIR;
		} else {
			f->parent_fd = dup_fd(m->parent_fd);
			ret = f->parent_fd < 0 ? f->parent_fd : path_fd_stat(f->parent_fd, &pst);
			f->name = xstrdup(m->name);
			if (ret == 0) {
				f->parent_dev = pst.st_dev;
				f->parent_ino = pst.st_ino;
			}
		}
	}
	if (ret < 0) {
		gofer_fid_free(f);
		return ret;
	}
	return fid_install(s, f, &st, &rep->attach.fid, &rep->attach.attr);
}

/* A new fid for name under dir, not yet installed; *st describes it. */
static int child_fid(struct gofer_fid *dir, const char *name, struct gofer_fid **out, struct stat *st)
{
	struct gofer_fid *f = gofer_fid_new();
	int ret;

	f->mount = dir->mount;
	f->readonly = dir->readonly;
	f->fd = openat(dir->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	ret = f->fd < 0 ? -errno : path_fd_stat(f->fd, st);
	if (ret == 0 && !S_ISDIR(st->st_mode)) {
		f->parent_fd = dup_fd(dir->fd);
		ret = f->parent_fd < 0 ? f->parent_fd : 0;
		f->name = xstrdup(name);
		f->parent_dev = dir->dev;
		f->parent_ino = dir->ino;
	}
	if (ret < 0) {
		gofer_fid_free(f);
		return ret;
	}
	*out = f;
	return 0;
}

static int do_walk(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *dir, *f;
	struct stat st;
	int ret = 0;

	if (!(dir = dir_get(s, req->walk.dirfid, &ret)))
		return ret;
	ret = child_fid(dir, req->walk.name, &f, &st);
	if (ret < 0)
		return ret;
	return fid_install(s, f, &st, &rep->walk.fid, &rep->walk.attr);
}

static int do_getattr(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *f = fid_get(s, req->getattr.fid);
	struct stat st;
	int ret;

	if (!f)
		return -EBADF;
	ret = path_fd_stat(f->fd, &st);
	if (ret < 0)
		return ret;
	stat_to_attr(&st, &rep->getattr.attr);
	return 0;
}

/* Opens the file a fid names with flags (already validated by the
 * decoder), returning a new host fd or -errno. */
/* Opens name under parent_fd with oflags and checks that it is still the
 * file f names; the fd, or -errno (-ESTALE for another file). */
static int open_checked(const struct gofer_fid *f, int parent_fd, const char *name, int oflags)
{
	struct stat st;
	int fd = openat(parent_fd, name, oflags), ret;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto fail;
	}
	if (st.st_dev != f->dev || st.st_ino != f->ino) {
		ret = -ESTALE;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

/* Makes alias a the fid's name (it still leads to the file) and the
 * current name an alias. */
static void promote_alias(struct gofer_fid *f, struct gofer_fid_name *a)
{
	int fd = f->parent_fd;
	char *name = f->name;
	dev_t dev = f->parent_dev;
	ino_t ino = f->parent_ino;

	f->parent_fd = a->parent_fd;
	f->name = a->name;
	f->parent_dev = a->parent_dev;
	f->parent_ino = a->parent_ino;
	a->parent_fd = fd;
	a->name = name;
	a->parent_dev = dev;
	a->parent_ino = ino;
}

/* A non-directory's name gone (removed, renamed away, replaced): its
 * other names (LINK) may still lead to it. */
static bool name_gone(int err)
{
	return err == -ENOENT || err == -ESTALE || err == -ELOOP || err == -ENOTDIR || err == -EBADF;
}

/* Opens the file a fid names with flags (already validated by the
 * decoder), returning a new host fd or -errno. */
static int fid_reopen(struct gofer_server *s, struct gofer_fid *f, int flags)
{
	/* O_NONBLOCK always: a name swapped for a FIFO must not hang the
	 * gofer (the identity check then rejects it); the caller's own
	 * choice is restored after. O_NOCTTY: never acquire a terminal. */
	int oflags = flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	int fd;

	if (S_ISLNK(f->mode))
		return -ELOOP; /* what open(O_NOFOLLOW) says of a symlink */
	/* Devices, FIFOs and sockets would reach host objects (or block the
	 * gofer); the sentry provides its own /dev. Regular files and
	 * directories only, for now. */
	if (!S_ISREG(f->mode) && !S_ISDIR(f->mode))
		return -EPERM;
	if (f->readonly && S_ISREG(f->mode) &&
	    ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EROFS;

	if (S_ISDIR(f->mode)) {
		fd = open_checked(f, f->fd, ".", oflags);
	} else {
		fd = open_checked(f, f->parent_fd, f->name, oflags);
		for (struct gofer_fid_name *a = f->aliases; a && name_gone(fd); a = a->next) {
			fd = open_checked(f, a->parent_fd, a->name, oflags);
			if (fd >= 0)
				promote_alias(f, a);
		}
	}
	if (fd < 0)
		return fd;
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags & O_APPEND) < 0) {
		int ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static int do_open(struct gofer_server *s, const struct gofer_req *req, int *out_fd)
{
	struct gofer_fid *f = fid_get(s, req->open.fid);
	if (!f)
		return -EBADF;
	int fd = fid_reopen(s, f, (int)req->open.flags);
	if (fd < 0)
		return fd;
	*out_fd = fd;
	return 0;
}

static int do_readlink(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *f = fid_get(s, req->readlink.fid);
	ssize_t n;

	if (!f)
		return -EBADF;
	if (!S_ISLNK(f->mode))
		return -EINVAL; /* readlink(2) of a non-symlink */
	n = readlinkat(f->fd, "", rep->readlink.target, sizeof(rep->readlink.target));
	if (n < 0)
		return -errno;
	if ((size_t)n > GOFER_SYMLINK_MAX)
		return -ENAMETOOLONG;
	if (n == 0)
		return -ENOENT; /* Linux has no empty symlinks */
	rep->readlink.len = (uint32_t)n;
	return 0;
}

static bool is_dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/* Packs entries from cookie offset until max_bytes are used or the
 * directory ends. "." and ".." are left out: the sentry makes its own. */
static int do_readdir(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *f = fid_get(s, req->readdir.fid);
	size_t used = 0;
	uint32_t count = 0;
	bool full = false;

	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->mode))
		return -ENOTDIR;
	if (req->readdir.offset > INT64_MAX)
		return -EINVAL;
	/* Kept open across calls so a sequential listing costs one open. */
	if (f->dir_fd < 0) {
		int fd = fid_reopen(s, f, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return fd;
		f->dir_fd = fd;
	}
	if (lseek(f->dir_fd, (off_t)req->readdir.offset, SEEK_SET) < 0)
		return -errno;

	while (!full) {
		ssize_t n = getdents64(f->dir_fd, s->getdents, GETDENTS_BUF_SIZE);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		for (ssize_t pos = 0; pos < n;) {
			struct dirent64 *d = (struct dirent64 *)(s->getdents + pos);
			pos += d->d_reclen;
			if (is_dot_or_dotdot(d->d_name))
				continue;
			struct gofer_dirent de = {
				.ino = d->d_ino,
				.next_offset = (uint64_t)d->d_off,
				.type = d->d_type,
			};
			int ret = gofer_dirent_pack(s->dents, req->readdir.max_bytes, &used, &de,
						    d->d_name);
			if (ret == -ENOSPC) {
				full = true;
				break;
			}
			if (ret < 0) {
				/* A name Linux paths cannot carry (too long):
				 * the workload could not use it anyway. */
				log_once("gofer-bad-dirent", "skipping unrepresentable directory entry");
				continue;
			}
			count++;
		}
	}
	rep->readdir.eof = !full;
	rep->readdir.count = count;
	rep->readdir.len = (uint32_t)used;
	rep->readdir.entries = s->dents;
	return 0;
}

static int do_clunk(struct gofer_server *s, const struct gofer_req *req)
{
	return gofer_fidtable_remove(&s->fids, req->clunk.fid);
}

/* ---- write operations ---- */

static int fd_stat_attr(int fd, struct stat *st, struct gofer_attr *attr)
{
	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (attr)
		stat_to_attr(st, attr);
	return 0;
}

/* Where name-based calls reach the file of f: the directory itself as "."
 * under its own fd, or the name under the parent after checking that it
 * still names the same file and is not a symlink swapped in. Only used
 * where the kernel lacks an fd-based call; a host-side swap between the
 * check and the call can at worst redirect it to another file of the same
 * directory, never outside the tree (the name is one component). */
static int name_check(const struct gofer_fid *f, int parent_fd, const char *name)
{
	struct stat st;

	if (parent_fd < 0 || !name)
		return -ESTALE;
	if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (st.st_dev != f->dev || st.st_ino != f->ino)
		return -ESTALE;
	return 0;
}

static int fid_name_at(struct gofer_fid *f, int *dirfd, const char **name)
{
	int ret;

	if (S_ISDIR(f->mode)) {
		*dirfd = f->fd;
		*name = ".";
		return 0;
	}
	ret = name_check(f, f->parent_fd, f->name);
	for (struct gofer_fid_name *a = f->aliases; a && name_gone(ret); a = a->next) {
		ret = name_check(f, a->parent_fd, a->name);
		if (ret == 0)
			promote_alias(f, a);
	}
	if (ret < 0)
		return ret;
	*dirfd = f->parent_fd;
	*name = f->name;
	return 0;
}

/* chmod of the file fd (O_PATH or not) refers to; f, when given, names
 * it for kernels without fchmodat2. Symlinks have no mode of their own. */
static int fd_chmod(int fd, struct gofer_fid *f, mode_t mode)
{
	int dirfd;
	const char *name;
	int ret;

	if (syscall(NR_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	if (fchmod(fd, mode) == 0)
		return 0;
	if (errno != EBADF || !f) /* EBADF: an O_PATH fd */
		return -errno;
	if (S_ISLNK(f->mode))
		return -EOPNOTSUPP;
	ret = fid_name_at(f, &dirfd, &name);
	if (ret < 0)
		return ret;
	return fchmodat(dirfd, name, mode, 0) < 0 ? -errno : 0;
}

/* Gives a file the gofer just created the owner and exact mode the
 * sentry asked for (the host applied the gofer's own ids, and perhaps a
 * umask or default ACL); then describes it. The owner goes first: chown
 * clears set-id bits. mode_ok is false for symlinks. */
static int fix_new_file(int fd, struct gofer_fid *f, uint32_t uid, uint32_t gid, mode_t mode,
			bool set_mode, struct stat *st, struct gofer_attr *attr)
{
	int ret = fd_stat_attr(fd, st, NULL);

	if (ret < 0)
		return ret;
	if (st->st_uid != uid || st->st_gid != gid) {
		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		ret = fd_stat_attr(fd, st, NULL);
		if (ret < 0)
			return ret;
	}
	if (set_mode && (st->st_mode & 07777) != mode) {
		ret = fd_chmod(fd, f, mode);
		if (ret == 0)
			ret = fd_stat_attr(fd, st, NULL);
		if (ret < 0)
			return ret;
	}
	stat_to_attr(st, attr);
	return 0;
}

static int do_create(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep,
		     int *out_fd)
{
	const char *name = req->create.name;
	uint32_t flags = req->create.flags;
	struct gofer_fid *dir, *f = NULL;
	struct stat st, pst;
	int fd, ret = 0;

	if (!(dir = dir_get_write(s, req->create.dirfid, &ret)))
		return ret;
	/* Always exclusive: the sentry decided that the name is free, and
	 * an existing file (or a symlink planted since) must not be opened. */
	fd = openat(dir->fd, name,
		    (int)(flags & (O_ACCMODE | O_APPEND)) | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		    (mode_t)req->create.mode);
	if (fd < 0)
		return -errno;
	ret = fix_new_file(fd, NULL, req->create.uid, req->create.gid, req->create.mode, true, &st,
			   &rep->create.attr);
	if (ret == 0)
		ret = child_fid(dir, name, &f, &pst);
	if (ret == 0 && (pst.st_dev != st.st_dev || pst.st_ino != st.st_ino))
		ret = -ESTALE;
	if (ret == 0 && !(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, (int)(flags & O_APPEND)) < 0)
		ret = -errno;
	if (ret == 0) {
		ret = fid_install(s, steal_pointer(&f), &st, &rep->create.fid, &rep->create.attr);
		if (ret == 0) {
			*out_fd = fd;
			return 0;
		}
	}
	gofer_fid_free(f);
	close(fd);
	unlinkat(dir->fd, name, 0);
	return ret;
}

static int do_mkdir(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *dir;
	struct stat st;
	int ret = 0;

	if (!(dir = dir_get_write(s, req->mkdir.dirfid, &ret)))
		return ret;
	if (mkdirat(dir->fd, req->mkdir.name, (mode_t)req->mkdir.mode) < 0)
		return -errno;
	/* A real fd (not O_PATH), so fchmod works on any kernel. */
	_cleanup_close_ int fd = openat(dir->fd, req->mkdir.name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	ret = fd < 0 ? -errno
		     : fix_new_file(fd, NULL, req->mkdir.uid, req->mkdir.gid, req->mkdir.mode, true,
				    &st, &rep->mkdir.attr);
	if (ret < 0)
		unlinkat(dir->fd, req->mkdir.name, AT_REMOVEDIR);
	return ret;
}

static int do_mknod(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *dir, *f = NULL;
	struct stat st;
	int ret = 0;

	if (!(dir = dir_get_write(s, req->mknod.dirfid, &ret)))
		return ret;
	/* The decoder let through only S_IFIFO and S_IFSOCK. */
	if (mknodat(dir->fd, req->mknod.name, (mode_t)req->mknod.mode, 0) < 0)
		return -errno;
	ret = child_fid(dir, req->mknod.name, &f, &st);
	if (ret == 0 && (st.st_mode & S_IFMT) != (req->mknod.mode & S_IFMT))
		ret = -ESTALE;
	if (ret == 0) {
		f->mode = st.st_mode & S_IFMT;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		ret = fix_new_file(f->fd, f, req->mknod.uid, req->mknod.gid, req->mknod.mode & 07777,
				   true, &st, &rep->mknod.attr);
	}
	gofer_fid_free(f);
	if (ret < 0)
		unlinkat(dir->fd, req->mknod.name, 0);
	return ret;
}

static int do_symlink(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *dir;
	struct stat st;
	int ret = 0;

	if (!(dir = dir_get_write(s, req->symlink.dirfid, &ret)))
		return ret;
	if (symlinkat(req->symlink.target, dir->fd, req->symlink.name) < 0)
		return -errno;
	_cleanup_close_ int fd = openat(dir->fd, req->symlink.name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	ret = fd < 0 ? -errno : fd_stat_attr(fd, &st, NULL);
	if (ret == 0 && !S_ISLNK(st.st_mode))
		ret = -ESTALE;
	if (ret == 0)
		ret = fix_new_file(fd, NULL, req->symlink.uid, req->symlink.gid, 0, false, &st,
				   &rep->symlink.attr);
	if (ret < 0)
		unlinkat(dir->fd, req->symlink.name, 0);
	return ret;
}

/* Remembers name under dir as another name of f's file (see
 * struct gofer_fid_name); past GOFER_FID_ALIASES_MAX the oldest goes. */
static void add_alias(struct gofer_fid *f, const struct gofer_fid *dir, const char *name)
{
	struct gofer_fid_name *a;
	int fd;

	if (S_ISDIR(f->mode) || !f->name)
		return;
	fd = dup_fd(dir->fd);
	if (fd < 0)
		return; /* only a fallback name lost */
	a = xzalloc(sizeof(*a));
	*a = (struct gofer_fid_name){
		.parent_fd = fd, .name = xstrdup(name), .parent_dev = dir->dev,
		.parent_ino = dir->ino, .next = f->aliases,
	};
	f->aliases = a;
	if (++f->naliases > GOFER_FID_ALIASES_MAX) {
		struct gofer_fid_name **pp = &f->aliases;

		while ((*pp)->next)
			pp = &(*pp)->next;
		close((*pp)->parent_fd);
		free((*pp)->name);
		free(*pp);
		*pp = NULL;
		f->naliases--;
	}
}

static int do_link(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *dir, *target;
	struct stat st;
	int ret = 0;

	if (!(dir = dir_get(s, req->link.dirfid, &ret)))
		return ret;
	if (!(target = fid_get(s, req->link.fid)))
		return -EBADF;
	if (S_ISDIR(target->mode))
		return -EPERM; /* as link(2) */
	if (dir->readonly)
		return -EROFS;
	if (target->mount != dir->mount)
		return -EXDEV;
	/* The fid's own inode, whatever names it has now. Without
	 * CAP_DAC_READ_SEARCH the kernel says ENOENT: then by name. */
	if (linkat(target->fd, "", dir->fd, req->link.name, AT_EMPTY_PATH) < 0) {
		int dirfd;
		const char *name;

		if (errno != ENOENT)
			return -errno;
		ret = fid_name_at(target, &dirfd, &name);
		if (ret < 0)
			return ret;
		if (linkat(dirfd, name, dir->fd, req->link.name, 0) < 0)
			return -errno;
	}
	if (fstatat(dir->fd, req->link.name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (st.st_dev != target->dev || st.st_ino != target->ino) {
		unlinkat(dir->fd, req->link.name, 0);
		return -ESTALE;
	}
	add_alias(target, dir, req->link.name);
	stat_to_attr(&st, &rep->link.attr);
	return 0;
}

static int do_unlink(struct gofer_server *s, const struct gofer_req *req)
{
	struct gofer_fid *dir;
	int ret = 0;

	if (!(dir = dir_get_write(s, req->unlink.dirfid, &ret)))
		return ret;
	if (unlinkat(dir->fd, req->unlink.name, (int)req->unlink.flags) < 0)
		return -errno;
	return 0;
}

struct rename_fixup {
	struct gofer_fid *odir, *ndir;
	const char *oname, *nname;
	struct stat src, dst;
	bool exchange;
};

static void retarget(struct gofer_fid *f, struct gofer_fid *dir, const char *name)
{
	int fd = dup_fd(dir->fd);

	if (fd < 0)
		log_warn("rename: cannot keep fid's parent: %s", strerror(-fd));
	if (f->parent_fd >= 0)
		close(f->parent_fd);
	f->parent_fd = fd;
	free(f->name);
	f->name = xstrdup(name);
	f->parent_dev = dir->dev;
	f->parent_ino = dir->ino;
}

static bool names(const struct gofer_fid *f, const struct gofer_fid *dir, const char *name,
		  const struct stat *st)
{
	return f->name && f->parent_dev == dir->dev && f->parent_ino == dir->ino &&
	       !strcmp(f->name, name) && f->dev == st->st_dev && f->ino == st->st_ino;
}

static bool alias_names(const struct gofer_fid_name *a, const struct gofer_fid *dir,
			const char *name)
{
	return a->parent_dev == dir->dev && a->parent_ino == dir->ino && !strcmp(a->name, name);
}

static void retarget_alias(struct gofer_fid_name *a, struct gofer_fid *dir, const char *name)
{
	int fd = dup_fd(dir->fd);

	close(a->parent_fd);
	a->parent_fd = fd; /* -1 on failure: that name is then skipped */
	free(a->name);
	a->name = xstrdup(name);
	a->parent_dev = dir->dev;
	a->parent_ino = dir->ino;
}

/* Non-directory fids name their file by (parent, name) for reopening:
 * the renamed file's fids follow it (the sentry keeps using them under the
 * new name). Directories reopen through their own fd and need nothing. */
static void rename_fixup_one(struct gofer_fid *f, void *arg)
{
	struct rename_fixup *x = arg;

	if (names(f, x->odir, x->oname, &x->src))
		retarget(f, x->ndir, x->nname);
	else if (x->exchange && names(f, x->ndir, x->nname, &x->dst))
		retarget(f, x->odir, x->oname);
	for (struct gofer_fid_name *a = f->aliases; a; a = a->next) {
		if (f->dev == x->src.st_dev && f->ino == x->src.st_ino &&
		    alias_names(a, x->odir, x->oname))
			retarget_alias(a, x->ndir, x->nname);
		else if (x->exchange && f->dev == x->dst.st_dev && f->ino == x->dst.st_ino &&
			 alias_names(a, x->ndir, x->nname))
			retarget_alias(a, x->odir, x->oname);
	}
}

static int do_rename(struct gofer_server *s, const struct gofer_req *req)
{
	struct rename_fixup x = {
		.oname = req->rename.oldname, .nname = req->rename.newname,
		.exchange = req->rename.flags & RENAME_EXCHANGE,
	};
	int ret = 0;

	if (!(x.odir = dir_get(s, req->rename.olddirfid, &ret)) ||
	    !(x.ndir = dir_get(s, req->rename.newdirfid, &ret)))
		return ret;
	if (x.odir->readonly || x.ndir->readonly)
		return -EROFS;
	if (x.odir->mount != x.ndir->mount)
		return -EXDEV;
	if (fstatat(x.odir->fd, x.oname, &x.src, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (x.exchange && fstatat(x.ndir->fd, x.nname, &x.dst, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (syscall(SYS_renameat2, x.odir->fd, x.oname, x.ndir->fd, x.nname, req->rename.flags) < 0)
		return -errno;
	gofer_fidtable_for_each(&s->fids, rename_fixup_one, &x);
	return 0;
}

static int do_setattr(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *f;
	uint32_t valid = req->setattr.valid;
	struct stat st;
	int ret = 0;

	if (!(f = fid_get_write(s, req->setattr.fid, &ret)))
		return ret;
	if (valid & (GOFER_SETATTR_UID | GOFER_SETATTR_GID)) {
		uid_t uid = (valid & GOFER_SETATTR_UID) ? req->setattr.uid : (uid_t)-1;
		gid_t gid = (valid & GOFER_SETATTR_GID) ? req->setattr.gid : (gid_t)-1;

		if (fchownat(f->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	}
	if (valid & GOFER_SETATTR_MODE) {
		if (S_ISLNK(f->mode))
			return -EOPNOTSUPP;
		ret = fd_chmod(f->fd, f, req->setattr.mode);
		if (ret < 0)
			return ret;
	}
	if (valid & GOFER_SETATTR_SIZE) {
		if (S_ISDIR(f->mode))
			return -EISDIR;
		if (!S_ISREG(f->mode))
			return -EINVAL;
		int fd = fid_reopen(s, f, O_WRONLY);
		if (fd < 0)
			return fd;
		ret = ftruncate(fd, req->setattr.size) < 0 ? -errno : 0;
		close(fd);
		if (ret < 0)
			return ret;
	}
	if (valid & (GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME)) {
		struct timespec ts[2] = {
			{ req->setattr.atime_sec, req->setattr.atime_nsec },
			{ req->setattr.mtime_sec, req->setattr.mtime_nsec },
		};
		int dirfd;
		const char *name;

		if (!(valid & GOFER_SETATTR_ATIME))
			ts[0] = (struct timespec){ 0, UTIME_OMIT };
		if (!(valid & GOFER_SETATTR_MTIME))
			ts[1] = (struct timespec){ 0, UTIME_OMIT };
		/* AT_EMPTY_PATH is Linux 5.8's; older kernels say EINVAL. */
		if (utimensat(f->fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != EINVAL)
				return -errno;
			ret = fid_name_at(f, &dirfd, &name);
			if (ret < 0)
				return ret;
			if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
				return -errno;
		}
	}
	return fd_stat_attr(f->fd, &st, &rep->setattr.attr);
}

static int do_fsync(struct gofer_server *s, const struct gofer_req *req)
{
	struct gofer_fid *f = fid_get(s, req->fsync.fid);
	int fd, ret;

	if (!f)
		return -EBADF;
	/* Linux refuses fsync of pipes and sockets alike. */
	if (!S_ISREG(f->mode) && !S_ISDIR(f->mode))
		return -EINVAL;
	/* Any fd of the inode flushes its data: a read-only one will do. */
	fd = fid_reopen(s, f, O_RDONLY);
	if (fd < 0)
		return fd;
	if (req->fsync.flags & GOFER_FSYNC_DATASYNC)
		ret = fdatasync(fd) < 0 ? -errno : 0;
	else
		ret = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static int do_statfs(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *f = fid_get(s, req->statfs.fid);
	struct statfs sf;

	if (!f)
		return -EBADF;
	if (fstatfs(f->fd, &sf) < 0)
		return -errno;
	rep->statfs = (struct gofer_statfs){
		.type = (uint64_t)sf.f_type, .bsize = (uint64_t)sf.f_bsize,
		.blocks = sf.f_blocks, .bfree = sf.f_bfree, .bavail = sf.f_bavail,
		.files = sf.f_files, .ffree = sf.f_ffree, .namelen = (uint64_t)sf.f_namelen,
		.frsize = (uint64_t)sf.f_frsize, .flags = (uint64_t)sf.f_flags,
	};
	if (f->readonly)
		rep->statfs.flags |= ST_RDONLY;
	return 0;
}

static bool xattr_allowed(const struct gofer_server *s, const char *name)
{
	return s->trusted_xattrs || strncmp(name, "trusted.", 8) != 0;
}

/* Where the xattr calls reach f's file: regular files and directories
 * through a reopened fd (*fd, for the f*xattr calls); symlinks, FIFOs and
 * sockets cannot be opened, so by name from their directory made the
 * current one (*fd = -1, for the l*xattr calls on *name). */
static int xattr_target(struct gofer_server *s, struct gofer_fid *f, const char *xname, int *fd,
			const char **name)
{
	int dirfd, ret;

	if (xname && !xattr_allowed(s, xname))
		return -EOPNOTSUPP;
	if (S_ISREG(f->mode) || S_ISDIR(f->mode)) {
		*fd = fid_reopen(s, f, O_RDONLY);
		return *fd < 0 ? *fd : 0;
	}
	*fd = -1;
	ret = fid_name_at(f, &dirfd, name);
	if (ret < 0)
		return ret;
	return fchdir(dirfd) < 0 ? -errno : 0;
}

/* One xattr request's host call on f's file, through xattr_target():
 * its result, or -errno. */
static ssize_t xattr_call(struct gofer_server *s, struct gofer_fid *f, const struct gofer_req *req)
{
	const char *xname = NULL, *name = NULL;
	ssize_t n = -1;
	int fd, ret;

	switch (req->type) {
	case GOFER_MSG_GETXATTR:
		xname = req->getxattr.name;
		break;
	case GOFER_MSG_SETXATTR:
		xname = req->setxattr.name;
		break;
	case GOFER_MSG_REMOVEXATTR:
		xname = req->removexattr.name;
		break;
	}
	ret = xattr_target(s, f, xname, &fd, &name);
	if (ret < 0)
		return ret;
	errno = EINVAL; /* no other type comes here */
	switch (req->type) {
	case GOFER_MSG_GETXATTR: {
		size_t size = req->getxattr.size;
		void *buf = size ? s->xattr : NULL;
		n = fd >= 0 ? fgetxattr(fd, xname, buf, size) : lgetxattr(name, xname, buf, size);
		break;
	}
	case GOFER_MSG_SETXATTR: {
		const void *v = req->setxattr.value;
		size_t size = req->setxattr.size;
		int flags = (int)req->setxattr.flags;
		n = fd >= 0 ? fsetxattr(fd, xname, v, size, flags) : lsetxattr(name, xname, v, size, flags);
		break;
	}
	case GOFER_MSG_LISTXATTR:
		n = fd >= 0 ? flistxattr(fd, s->xlist, HOST_XATTR_LIST_MAX)
			    : llistxattr(name, s->xlist, HOST_XATTR_LIST_MAX);
		break;
	case GOFER_MSG_REMOVEXATTR:
		n = fd >= 0 ? fremovexattr(fd, xname) : lremovexattr(name, xname);
		break;
	}
	if (n < 0)
		n = -errno;
	if (fd >= 0)
		close(fd);
	return n;
}

static int do_getxattr(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *f = fid_get(s, req->getxattr.fid);
	ssize_t n;

	if (!f)
		return -EBADF;
	n = xattr_call(s, f, req);
	if (n < 0)
		return (int)n;
	if ((size_t)n > GOFER_XATTR_SIZE_MAX)
		return -E2BIG; /* more than one message carries */
	rep->getxattr.len = (uint32_t)n;
	rep->getxattr.data = req->getxattr.size && n ? s->xattr : NULL;
	return 0;
}

/* SETXATTR and REMOVEXATTR. */
static int do_xattr_write(struct gofer_server *s, const struct gofer_req *req, uint32_t fid)
{
	struct gofer_fid *f;
	int ret = 0;

	if (!(f = fid_get_write(s, fid, &ret)))
		return ret;
	ssize_t n = xattr_call(s, f, req);
	return n < 0 ? (int)n : 0;
}

static bool xattr_visible(const struct gofer_server *s, const char *name)
{
	return gofer_xattr_name_check(name, strlen(name)) == 0 && xattr_allowed(s, name);
}

/* Only user.* and trusted.* cross the protocol: the host's security.*
 * (SELinux labels) and system.* (ACLs) are not the sandbox's. */
static int do_listxattr(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *f = fid_get(s, req->listxattr.fid);
	size_t used = 0;
	ssize_t n;

	if (!f)
		return -EBADF;
	n = xattr_call(s, f, req);
	if (n == -ERANGE)
		return -E2BIG; /* larger than Linux's own limit */
	if (n < 0)
		return (int)n;
	for (ssize_t off = 0; off < n;) {
		const char *x = s->xlist + off;
		size_t len = strnlen(x, (size_t)(n - off));

		off += (ssize_t)len + 1;
		if (len == 0 || off > n || !xattr_visible(s, x))
			continue;
		if (used + len + 1 > GOFER_XATTR_SIZE_MAX)
			return -E2BIG;
		memcpy(s->xattr + used, x, len + 1);
		used += len + 1;
	}
	if (req->listxattr.size && used > req->listxattr.size)
		return -ERANGE;
	rep->listxattr.len = (uint32_t)used;
	rep->listxattr.data = req->listxattr.size && used ? s->xattr : NULL;
	return 0;
}

static int dispatch(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep,
		    int *out_fd)
{
	switch (req->type) {
	case GOFER_MSG_ATTACH:
		return do_attach(s, req, rep);
	case GOFER_MSG_WALK:
		return do_walk(s, req, rep);
	case GOFER_MSG_GETATTR:
		return do_getattr(s, req, rep);
	case GOFER_MSG_OPEN:
		return do_open(s, req, out_fd);
	case GOFER_MSG_READLINK:
		return do_readlink(s, req, rep);
	case GOFER_MSG_READDIR:
		return do_readdir(s, req, rep);
	case GOFER_MSG_CLUNK:
		return do_clunk(s, req);
	case GOFER_MSG_CREATE:
		return do_create(s, req, rep, out_fd);
	case GOFER_MSG_MKDIR:
		return do_mkdir(s, req, rep);
	case GOFER_MSG_MKNOD:
		return do_mknod(s, req, rep);
	case GOFER_MSG_SYMLINK:
		return do_symlink(s, req, rep);
	case GOFER_MSG_LINK:
		return do_link(s, req, rep);
	case GOFER_MSG_UNLINK:
		return do_unlink(s, req);
	case GOFER_MSG_RENAME:
		return do_rename(s, req);
	case GOFER_MSG_SETATTR:
		return do_setattr(s, req, rep);
	case GOFER_MSG_FSYNC:
		return do_fsync(s, req);
	case GOFER_MSG_STATFS:
		return do_statfs(s, req, rep);
	case GOFER_MSG_GETXATTR:
		return do_getxattr(s, req, rep);
	case GOFER_MSG_SETXATTR:
		return do_xattr_write(s, req, req->setxattr.fid);
	case GOFER_MSG_LISTXATTR:
		return do_listxattr(s, req, rep);
	case GOFER_MSG_REMOVEXATTR:
		return do_xattr_write(s, req, req->removexattr.fid);
	}
	return -EINVAL;
}

static int send_reply(struct gofer_server *s, const void *buf, size_t len, int fd)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;

	if (fd >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	for (;;) {
		ssize_t n = sendmsg(s->sock, &mh, MSG_NOSIGNAL);
		if (n >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* Handles one received datagram; returns 0 or -errno if the reply could
 * not be sent. */
static int serve_one(struct gofer_server *s, size_t len, bool truncated)
{
	struct gofer_req req;
	struct gofer_rep rep;
	int fd = -1, ret;

	ret = gofer_req_decode(s->msg, len, &req);
	if (ret == 0 && truncated)
		ret = -EINVAL;
	memset(&rep, 0, offsetof(struct gofer_rep, readlink));
	if (ret == 0)
		ret = dispatch(s, &req, &rep, &fd);
	else
		log_once("gofer-bad-request", "rejecting malformed request (type %u): %s",
			 req.type, strerror(-ret));
	if (log_debug_enabled())
		log_debug("%s tag=%u -> %d", msg_name(req.type), req.tag, ret);

	rep.type = req.type & ~GOFER_MSG_REPLY;
	rep.tag = req.tag;
	rep.error = -ret;
	ssize_t n = gofer_rep_encode(&rep, s->msg, GOFER_MSG_MAX);
	if (n < 0) {
		/* Our own reply is unencodable: a bug here, not the peer's. */
		log_error("cannot encode %s reply: %s", msg_name(req.type), strerror((int)-n));
		if (fd >= 0)
			close(fd);
		fd = -1;
		rep.error = EIO;
		n = gofer_rep_encode(&rep, s->msg, GOFER_MSG_MAX);
		if (n < 0)
			return (int)n;
	}
	ret = send_reply(s, s->msg, (size_t)n, fd);
	if (fd >= 0)
		close(fd);
	return ret;
}

static void mounts_free(struct gofer_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (m[i].fd >= 0)
			close(m[i].fd);
		if (m[i].parent_fd >= 0)
			close(m[i].parent_fd);
		free((char *)m[i].name);
	}
	free(m);
}

int gofer_serve_mounts(int sock_fd, const struct gofer_mount *mounts, size_t nmounts,
		       unsigned int flags)
{
	struct gofer_server s = {
		.sock = sock_fd, .trusted_xattrs = !(flags & GOFER_SERVE_NO_TRUSTED_XATTR),
	};
	int ret = 0;

	if (nmounts == 0 || nmounts > GOFER_MOUNTS_MAX)
		return -EINVAL;
	s.mounts = xzalloc(nmounts * sizeof(*s.mounts));
	s.nmounts = nmounts;
	for (size_t i = 0; i < nmounts; i++) {
		s.mounts[i].fd = s.mounts[i].parent_fd = -1;
		s.mounts[i].readonly = mounts[i].readonly;
		s.mounts[i].name = mounts[i].name ? xstrdup(mounts[i].name) : NULL;
		s.mounts[i].fd = dup_fd(mounts[i].fd);
		if (s.mounts[i].fd < 0)
			ret = s.mounts[i].fd;
		if (mounts[i].parent_fd >= 0) {
			s.mounts[i].parent_fd = dup_fd(mounts[i].parent_fd);
			if (s.mounts[i].parent_fd < 0)
				ret = s.mounts[i].parent_fd;
		}
	}
	if (ret < 0) {
		mounts_free(s.mounts, nmounts);
		return ret;
	}
	gofer_fidtable_init(&s.fids);
	s.msg = xmalloc(GOFER_MSG_MAX);
	s.dents = xmalloc(GOFER_READDIR_MAX);
	s.getdents = xmalloc(GETDENTS_BUF_SIZE);
	s.xattr = xmalloc(GOFER_XATTR_SIZE_MAX);
	s.xlist = xmalloc(HOST_XATTR_LIST_MAX);

	for (;;) {
		struct iovec iov = { .iov_base = s.msg, .iov_len = GOFER_MSG_MAX };
		/* No control buffer: fds a peer tries to pass are closed by
		 * the kernel and flagged with MSG_CTRUNC. */
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(sock_fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			log_error("recvmsg: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			ret = 0; /* the sentry is gone */
			break;
		}
		ret = serve_one(&s, (size_t)n, mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
		if (ret == -EPIPE || ret == -ECONNRESET) {
			ret = 0;
			break;
		}
		if (ret < 0) {
			log_error("sendmsg: %s", strerror(-ret));
			break;
		}
	}

	gofer_fidtable_destroy(&s.fids);
	free(s.msg);
	free(s.dents);
	free(s.getdents);
	free(s.xattr);
	free(s.xlist);
	mounts_free(s.mounts, s.nmounts);
	return ret;
}

int gofer_serve(int sock_fd, int root_fd, unsigned int flags)
{
	struct gofer_mount m = {
		.fd = root_fd, .parent_fd = -1, .readonly = flags & GOFER_SERVE_READONLY,
	};
	return gofer_serve_mounts(sock_fd, &m, 1, flags & ~GOFER_SERVE_READONLY);
}
