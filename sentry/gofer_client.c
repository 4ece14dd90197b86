/* The sentry's side of the gofer protocol: one synchronous call at a time
 * (the sentry is single-threaded), each reply matched to its request by
 * tag and type. The gofer is less trusted than the sentry's own code, so
 * replies are validated as strictly as the gofer validates requests; any
 * protocol violation or I/O failure marks the channel broken, and every
 * later call fails with -EIO rather than risk misreading a stale reply.
 *
 * The client owns the socket: gofer_client_free() closes it. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/protocol.h"
#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/gofer_client.h"

struct gofer_client {
	int fd;
	uint32_t next_tag;
	bool broken;
	uint8_t msg[GOFER_MSG_MAX];
};

int gofer_client_new(int sock_fd, struct gofer_client **out)
{
	int type;
	socklen_t len = sizeof(type);

	if (getsockopt(sock_fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	if (type != SOCK_SEQPACKET)
		return -EINVAL;
	struct gofer_client *c = xzalloc(sizeof(*c));
	c->fd = sock_fd;
	c->next_tag = 1;
	*out = c;
	return 0;
}

void gofer_client_free(struct gofer_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static int broken(struct gofer_client *c, const char *why)
{
	if (!c->broken)
		log_error("gofer channel broken: %s", why);
	c->broken = true;
	return -EIO;
}

static void close_fds(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* Sends req and decodes its reply into rep. Returns 0 (rep->error may
 * still be set), or -EIO (broken channel), or the encoder's error for
 * arguments the protocol cannot carry. *fd_out gets the donated fd of an
 * OPEN or CREATE reply. */
static int call(struct gofer_client *c, struct gofer_req *req, struct gofer_rep *rep,
		int *fd_out)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	int fds[1], nfds = 0;
	ssize_t n;

	if (c->broken)
		return -EIO;
	req->tag = c->next_tag++;
	n = gofer_req_encode(req, c->msg, sizeof(c->msg));
	if (n < 0)
		return (int)n;
	for (;;) {
		ssize_t s = send(c->fd, c->msg, (size_t)n, MSG_NOSIGNAL);
		if (s == n)
			break;
		if (s < 0 && errno == EINTR)
			continue;
		return broken(c, s < 0 ? strerror(errno) : "short send");
	}

	struct iovec iov = { .iov_base = c->msg, .iov_len = sizeof(c->msg) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	do
		n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return broken(c, strerror(errno));
	if (n == 0)
		return broken(c, "gofer closed the connection");

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t cnt = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < cnt; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (nfds < (int)ARRAY_SIZE(fds))
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	const char *bad = NULL;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		bad = "oversized reply";
	else if (gofer_rep_decode(c->msg, (size_t)n, rep) < 0)
		bad = "malformed reply";
	else if (rep->tag != req->tag || rep->type != req->type)
		bad = "reply does not match the request";
	else if (nfds != ((req->type == GOFER_MSG_OPEN || req->type == GOFER_MSG_CREATE) &&
				  !rep->error ? 1 : 0))
		bad = "unexpected file descriptors";
	if (bad) {
		close_fds(fds, nfds);
		return broken(c, bad);
	}
	if (nfds)
		*fd_out = fds[0];
	return 0;
}

/* call(), with the gofer's error as the result: 0 only for a successful
 * reply. */
static int call_ok(struct gofer_client *c, struct gofer_req *req, struct gofer_rep *rep,
		   int *fd_out)
{
	int ret = call(c, req, rep, fd_out);
	if (ret < 0)
		return ret;
	return rep->error ? -rep->error : 0;
}

/* Sends a request whose reply carries nothing but an error. */
static int simple_call(struct gofer_client *c, struct gofer_req *req)
{
	struct gofer_rep rep;
	return call_ok(c, req, &rep, NULL);
}

int gofer_attach(struct gofer_client *c, uint32_t *fid, struct gofer_attr *attr)
{
	return gofer_attach_mount(c, 0, fid, attr);
}

int gofer_attach_mount(struct gofer_client *c, uint32_t mount, uint32_t *fid, struct gofer_attr *attr)
{
	struct gofer_req req = { .type = GOFER_MSG_ATTACH, .attach.mount = mount };
	struct gofer_rep rep;
	int ret = call_ok(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	*fid = rep.attach.fid;
	*attr = rep.attach.attr;
	return 0;
}

int gofer_walk(struct gofer_client *c, uint32_t dirfid, const char *name, uint32_t *newfid,
	       struct gofer_attr *attr)
{
	struct gofer_req req = { .type = GOFER_MSG_WALK, .walk.dirfid = dirfid };
	struct gofer_rep rep;
	size_t len = strlen(name);
	int ret = gofer_name_check(name, len);
	if (ret < 0)
		return ret;
	memcpy(req.walk.name, name, len + 1);
	ret = call_ok(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	*newfid = rep.walk.fid;
	*attr = rep.walk.attr;
	return 0;
}

int gofer_getattr(struct gofer_client *c, uint32_t fid, struct gofer_attr *attr)
{
	struct gofer_req req = { .type = GOFER_MSG_GETATTR, .getattr.fid = fid };
	struct gofer_rep rep;
	int ret = call_ok(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	*attr = rep.getattr.attr;
	return 0;
}

int gofer_open(struct gofer_client *c, uint32_t fid, int flags, int *host_fd)
{
	struct gofer_req req = { .type = GOFER_MSG_OPEN, .open = { fid, (uint32_t)flags } };
	struct gofer_rep rep;
	int fd = -1;
	int ret = call_ok(c, &req, &rep, &fd);
	if (ret < 0)
		return ret;
	*host_fd = fd;
	return 0;
}

/* Like readlink(2): the target is truncated to bufsz bytes, not
 * NUL-terminated, and *len says how many bytes were stored. */
int gofer_readlink(struct gofer_client *c, uint32_t fid, char *buf, size_t bufsz, size_t *len)
{
	struct gofer_req req = { .type = GOFER_MSG_READLINK, .readlink.fid = fid };
	struct gofer_rep rep;
	int ret = call_ok(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	*len = MIN((size_t)rep.readlink.len, bufsz);
	memcpy(buf, rep.readlink.target, *len);
	return 0;
}

int gofer_readdir(struct gofer_client *c, uint32_t fid, uint64_t offset,
		  int (*emit)(void *arg, const struct gofer_dirent *de, const char *name),
		  void *arg, int *eof)
{
	struct gofer_rep rep;
	char name[GOFER_NAME_MAX + 1];
	struct gofer_dirent de;
	int ret = 0;

	*eof = 0;
	for (;;) {
		struct gofer_req req = {
			.type = GOFER_MSG_READDIR,
			.readdir = { .fid = fid, .max_bytes = GOFER_READDIR_MAX, .offset = offset },
		};
		ret = call_ok(c, &req, &rep, NULL);
		if (ret < 0)
			return ret;
		/* emit may call back into the client, which reuses c->msg. */
		_cleanup_free_ uint8_t *ents = xmalloc(rep.readdir.len ? rep.readdir.len : 1);
		memcpy(ents, rep.readdir.entries, rep.readdir.len);
		size_t off = 0;
		while ((ret = gofer_dirent_unpack(ents, rep.readdir.len, &off, &de, name)) > 0) {
			if (emit(arg, &de, name))
				return 0;
			offset = de.next_offset;
		}
		if (ret < 0) /* the decoder already checked; cannot happen */
			return broken(c, "malformed directory entries");
		if (rep.readdir.eof) {
			*eof = 1;
			return 0;
		}
	}
}

int gofer_clunk(struct gofer_client *c, uint32_t fid)
{
	struct gofer_req req = { .type = GOFER_MSG_CLUNK, .clunk.fid = fid };
	return simple_call(c, &req);
}

/* ---- write operations ---- */

/* Copies a string into a fixed request field; the encoder then checks it
 * (a string that does not fit is reported as the encoder would). */
static int copy_field(char *field, size_t cap, const char *src, int toolong)
{
	size_t len = strlen(src);

	if (len >= cap)
		return toolong;
	memcpy(field, src, len + 1);
	return 0;
}

/* The reply's attributes must describe a file of the type just made. */
static int expect_type(struct gofer_client *c, const struct gofer_attr *a, uint32_t type)
{
	if ((a->mode & S_IFMT) != type)
		return broken(c, "new file of the wrong type");
	return 0;
}

/* Sends a request answered with attributes (mkdir, mknod, symlink, link,
 * setattr); type, if nonzero, is the file type they must show. */
static int attr_call(struct gofer_client *c, struct gofer_req *req, uint32_t type,
		     struct gofer_attr *attr)
{
	struct gofer_rep rep;
	int ret = call_ok(c, req, &rep, NULL);
	if (ret < 0)
		return ret;
	if (type && (ret = expect_type(c, &rep.getattr.attr, type)) < 0)
		return ret;
	if (attr)
		*attr = rep.getattr.attr;
	return 0;
}

int gofer_create(struct gofer_client *c, uint32_t dirfid, const char *name, int flags, uint32_t mode,
		 uint32_t uid, uint32_t gid, uint32_t *newfid, struct gofer_attr *attr, int *host_fd)
{
	struct gofer_req req = {
		.type = GOFER_MSG_CREATE,
		.create = { .dirfid = dirfid, .flags = (uint32_t)flags, .mode = mode, .uid = uid, .gid = gid },
	};
	struct gofer_rep rep;
	int fd = -1;
	int ret = copy_field(req.create.name, sizeof(req.create.name), name, -ENAMETOOLONG);
	if (ret < 0)
		return ret;
	ret = call_ok(c, &req, &rep, &fd);
	if (ret < 0)
		return ret;
	if ((ret = expect_type(c, &rep.create.attr, S_IFREG)) < 0) {
		close(fd);
		return ret;
	}
	*newfid = rep.create.fid;
	*attr = rep.create.attr;
	*host_fd = fd;
	return 0;
}

int gofer_mkdir(struct gofer_client *c, uint32_t dirfid, const char *name, uint32_t mode,
		uint32_t uid, uint32_t gid, struct gofer_attr *attr)
{
	struct gofer_req req = {
		.type = GOFER_MSG_MKDIR,
		.mkdir = { .dirfid = dirfid, .mode = mode, .uid = uid, .gid = gid },
	};
	int ret = copy_field(req.mkdir.name, sizeof(req.mkdir.name), name, -ENAMETOOLONG);
	return ret < 0 ? ret : attr_call(c, &req, S_IFDIR, attr);
}

int gofer_mknod(struct gofer_client *c, uint32_t dirfid, const char *name, uint32_t mode,
		uint32_t uid, uint32_t gid, struct gofer_attr *attr)
{
	struct gofer_req req = {
		.type = GOFER_MSG_MKNOD,
		.mknod = { .dirfid = dirfid, .mode = mode, .uid = uid, .gid = gid },
	};
	int ret = copy_field(req.mknod.name, sizeof(req.mknod.name), name, -ENAMETOOLONG);
	return ret < 0 ? ret : attr_call(c, &req, mode & S_IFMT, attr);
}

int gofer_symlink(struct gofer_client *c, uint32_t dirfid, const char *name, const char *target,
		  uint32_t uid, uint32_t gid, struct gofer_attr *attr)
{
	struct gofer_req req = {
		.type = GOFER_MSG_SYMLINK,
		.symlink = { .dirfid = dirfid, .uid = uid, .gid = gid },
	};
	int ret = copy_field(req.symlink.name, sizeof(req.symlink.name), name, -ENAMETOOLONG);
	if (ret == 0)
		ret = copy_field(req.symlink.target, sizeof(req.symlink.target), target,
				 -ENAMETOOLONG);
	return ret < 0 ? ret : attr_call(c, &req, S_IFLNK, attr);
}

int gofer_link(struct gofer_client *c, uint32_t dirfid, const char *name, uint32_t fid,
	       struct gofer_attr *attr)
{
	struct gofer_req req = { .type = GOFER_MSG_LINK, .link = { .dirfid = dirfid, .fid = fid } };
	int ret = copy_field(req.link.name, sizeof(req.link.name), name, -ENAMETOOLONG);
	return ret < 0 ? ret : attr_call(c, &req, 0, attr);
}

int gofer_unlink(struct gofer_client *c, uint32_t dirfid, const char *name, int flags)
{
	struct gofer_req req = {
		.type = GOFER_MSG_UNLINK, .unlink = { .dirfid = dirfid, .flags = (uint32_t)flags },
	};
	int ret = copy_field(req.unlink.name, sizeof(req.unlink.name), name, -ENAMETOOLONG);
	return ret < 0 ? ret : simple_call(c, &req);
}

int gofer_rename(struct gofer_client *c, uint32_t olddirfid, const char *oldname,
		 uint32_t newdirfid, const char *newname, unsigned int flags)
{
	struct gofer_req req = {
		.type = GOFER_MSG_RENAME,
		.rename = { .olddirfid = olddirfid, .newdirfid = newdirfid, .flags = flags },
	};
	int ret = copy_field(req.rename.oldname, sizeof(req.rename.oldname), oldname, -ENAMETOOLONG);
	if (ret == 0)
		ret = copy_field(req.rename.newname, sizeof(req.rename.newname), newname,
				 -ENAMETOOLONG);
	return ret < 0 ? ret : simple_call(c, &req);
}

int gofer_setattr(struct gofer_client *c, uint32_t fid, const struct gofer_setattr *sa,
		  struct gofer_attr *attr)
{
	struct gofer_req req = {
		.type = GOFER_MSG_SETATTR,
		.setattr = {
			.fid = fid, .valid = sa->valid, .mode = sa->mode, .uid = sa->uid,
			.gid = sa->gid, .size = sa->size, .atime_sec = sa->atime_sec,
			.mtime_sec = sa->mtime_sec, .atime_nsec = sa->atime_nsec,
			.mtime_nsec = sa->mtime_nsec,
		},
	};
	return attr_call(c, &req, 0, attr);
}

int gofer_fsync(struct gofer_client *c, uint32_t fid, bool datasync)
{
	struct gofer_req req = {
		.type = GOFER_MSG_FSYNC,
		.fsync = { .fid = fid, .flags = datasync ? GOFER_FSYNC_DATASYNC : 0 },
	};
	return simple_call(c, &req);
}

int gofer_statfs(struct gofer_client *c, uint32_t fid, struct gofer_statfs *st)
{
	struct gofer_req req = { .type = GOFER_MSG_STATFS, .statfs.fid = fid };
	struct gofer_rep rep;
	int ret = call_ok(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	*st = rep.statfs;
	return 0;
}

/* GETXATTR and LISTXATTR replies: the data must agree with what was asked
 * (none for a length query, else at most size bytes). */
static ssize_t xattr_data(struct gofer_client *c, const struct gofer_rep *rep, void *buf,
			  size_t size)
{
	uint32_t len = rep->getxattr.len;

	if (size == 0)
		return rep->getxattr.data ? broken(c, "xattr data not asked for") : (ssize_t)len;
	if (len > size || (len && !rep->getxattr.data))
		return broken(c, "xattr reply does not match the request");
	if (len)
		memcpy(buf, rep->getxattr.data, len);
	return (ssize_t)len;
}

ssize_t gofer_getxattr(struct gofer_client *c, uint32_t fid, const char *name, void *buf,
		       size_t size)
{
	struct gofer_req req = {
		.type = GOFER_MSG_GETXATTR,
		.getxattr = { .fid = fid, .size = (uint32_t)MIN(size, (size_t)GOFER_XATTR_SIZE_MAX) },
	};
	struct gofer_rep rep;
	int ret = copy_field(req.getxattr.name, sizeof(req.getxattr.name), name, -ERANGE);
	if (ret < 0)
		return ret;
	ret = call_ok(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	return xattr_data(c, &rep, buf, req.getxattr.size);
}

int gofer_setxattr(struct gofer_client *c, uint32_t fid, const char *name, const void *value,
		   size_t size, int flags)
{
	struct gofer_req req = {
		.type = GOFER_MSG_SETXATTR,
		.setxattr = { .fid = fid, .flags = (uint32_t)flags, .size = (uint32_t)size,
			      .value = value },
	};
	if (size > GOFER_XATTR_SIZE_MAX)
		return -E2BIG;
	int ret = copy_field(req.setxattr.name, sizeof(req.setxattr.name), name, -ERANGE);
	return ret < 0 ? ret : simple_call(c, &req);
}

ssize_t gofer_listxattr(struct gofer_client *c, uint32_t fid, char *buf, size_t size)
{
	struct gofer_req req = {
		.type = GOFER_MSG_LISTXATTR,
		.listxattr = { .fid = fid, .size = (uint32_t)MIN(size, (size_t)GOFER_XATTR_SIZE_MAX) },
	};
	struct gofer_rep rep;
	int ret = call_ok(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	return xattr_data(c, &rep, buf, req.listxattr.size);
}

int gofer_removexattr(struct gofer_client *c, uint32_t fid, const char *name)
{
	struct gofer_req req = { .type = GOFER_MSG_REMOVEXATTR, .removexattr.fid = fid };
	int ret = copy_field(req.removexattr.name, sizeof(req.removexattr.name), name, -ERANGE);
	return ret < 0 ? ret : simple_call(c, &req);
}
