/* The gofer's serve loop: one request in, one reply out.
 *
 * Escaping the rootfs is impossible by construction: the sentry never sends
 * a path, only one component at a time (never "..", never with '/'), each
 * resolved with openat(O_PATH|O_NOFOLLOW) relative to an fd already inside
 * the tree, so no host symlink is ever followed. Files are reopened by name
 * under their parent with O_NOFOLLOW and their identity (dev, ino) checked
 * again, so a name swapped for a symlink or another file after the walk
 * yields ELOOP or ESTALE, never that other file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/fidtable.h"
#include "gofer/protocol.h"
#include "gofer/server.h"
#include "runsc/log.h"
#include "runsc/util.h"

#define GETDENTS_BUF_SIZE 32768

struct gofer_server {
	int sock;
	int root_fd;
	bool readonly;
	struct gofer_fidtable fids;
	uint8_t *msg;        /* one request, then its reply */
	uint8_t *dents;      /* packed READDIR entries */
	uint8_t *getdents;   /* getdents64 results */
};

static const char *msg_name(uint32_t type)
{
	static const char *const names[] = {
		[GOFER_MSG_ATTACH] = "attach", [GOFER_MSG_WALK] = "walk",
		[GOFER_MSG_GETATTR] = "getattr", [GOFER_MSG_OPEN] = "open",
		[GOFER_MSG_READLINK] = "readlink", [GOFER_MSG_READDIR] = "readdir",
		[GOFER_MSG_CLUNK] = "clunk",
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

static int do_attach(struct gofer_server *s, struct gofer_rep *rep)
{
	struct gofer_fid *f = gofer_fid_new();
	struct stat st;
	int ret;

	f->fd = dup_fd(s->root_fd);
	ret = f->fd < 0 ? f->fd : path_fd_stat(f->fd, &st);
	if (ret == 0 && !S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
	if (ret < 0) {
		gofer_fid_free(f);
		return ret;
	}
	return fid_install(s, f, &st, &rep->attach.fid, &rep->attach.attr);
}

static struct gofer_fid *fid_get(struct gofer_server *s, uint32_t fid)
{
	return gofer_fidtable_lookup(&s->fids, fid);
}

static int do_walk(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep)
{
	struct gofer_fid *dir = fid_get(s, req->walk.dirfid);
	struct gofer_fid *f;

	if (!dir)
		return -EBADF;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	f = gofer_fid_new();
	f->fd = openat(dir->fd, req->walk.name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (f->fd < 0) {
		int ret = -errno;
		gofer_fid_free(f);
		return ret;
	}
	struct stat st;
	int ret = path_fd_stat(f->fd, &st);
	if (ret == 0 && !S_ISDIR(st.st_mode)) {
		f->parent_fd = dup_fd(dir->fd);
		ret = f->parent_fd < 0 ? f->parent_fd : 0;
		f->name = xstrdup(req->walk.name);
	}
	if (ret < 0) {
		gofer_fid_free(f);
		return ret;
	}
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
static int fid_reopen(struct gofer_server *s, struct gofer_fid *f, int flags)
{
	/* O_NONBLOCK always: a name swapped for a FIFO must not hang the
	 * gofer (the identity check below then rejects it); the caller's own
	 * choice is restored after. O_NOCTTY: never acquire a terminal. */
	int oflags = flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	struct stat st;
	int fd, ret;

	if (S_ISLNK(f->mode))
		return -ELOOP; /* what open(O_NOFOLLOW) says of a symlink */
	/* Devices, FIFOs and sockets would reach host objects (or block the
	 * gofer); the sentry provides its own /dev. Regular files and
	 * directories only, for now. */
	if (!S_ISREG(f->mode) && !S_ISDIR(f->mode))
		return -EPERM;
	if (s->readonly && S_ISREG(f->mode) &&
	    ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EROFS;

	if (S_ISDIR(f->mode))
		fd = openat(f->fd, ".", oflags);
	else
		fd = openat(f->parent_fd, f->name, oflags);
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
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags & O_APPEND) < 0) {
		ret = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
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

static int dispatch(struct gofer_server *s, const struct gofer_req *req, struct gofer_rep *rep,
		    int *out_fd)
{
	switch (req->type) {
	case GOFER_MSG_ATTACH:
		return do_attach(s, rep);
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

int gofer_serve(int sock_fd, int root_fd, unsigned int flags)
{
	struct gofer_server s = {
		.sock = sock_fd,
		.readonly = flags & GOFER_SERVE_READONLY,
	};
	int ret;

	s.root_fd = dup_fd(root_fd);
	if (s.root_fd < 0)
		return s.root_fd;
	gofer_fidtable_init(&s.fids);
	s.msg = xmalloc(GOFER_MSG_MAX);
	s.dents = xmalloc(GOFER_READDIR_MAX);
	s.getdents = xmalloc(GETDENTS_BUF_SIZE);

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
	close(s.root_fd);
	return ret;
}
