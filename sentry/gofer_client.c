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
 * OPEN reply. */
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
	else if (nfds != (req->type == GOFER_MSG_OPEN && !rep->error ? 1 : 0))
		bad = "unexpected file descriptors";
	if (bad) {
		close_fds(fds, nfds);
		return broken(c, bad);
	}
	if (nfds)
		*fd_out = fds[0];
	return 0;
}

int gofer_attach(struct gofer_client *c, uint32_t *fid, struct gofer_attr *attr)
{
	struct gofer_req req = { .type = GOFER_MSG_ATTACH };
	struct gofer_rep rep;
	int ret = call(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	if (rep.error)
		return -rep.error;
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
	ret = call(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	if (rep.error)
		return -rep.error;
	*newfid = rep.walk.fid;
	*attr = rep.walk.attr;
	return 0;
}

int gofer_getattr(struct gofer_client *c, uint32_t fid, struct gofer_attr *attr)
{
	struct gofer_req req = { .type = GOFER_MSG_GETATTR, .getattr.fid = fid };
	struct gofer_rep rep;
	int ret = call(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	if (rep.error)
		return -rep.error;
	*attr = rep.getattr.attr;
	return 0;
}

int gofer_open(struct gofer_client *c, uint32_t fid, int flags, int *host_fd)
{
	struct gofer_req req = { .type = GOFER_MSG_OPEN, .open = { fid, (uint32_t)flags } };
	struct gofer_rep rep;
	int fd = -1;
	int ret = call(c, &req, &rep, &fd);
	if (ret < 0)
		return ret;
	if (rep.error)
		return -rep.error;
	*host_fd = fd;
	return 0;
}

/* Like readlink(2): the target is truncated to bufsz bytes, not
 * NUL-terminated, and *len says how many bytes were stored. */
int gofer_readlink(struct gofer_client *c, uint32_t fid, char *buf, size_t bufsz, size_t *len)
{
	struct gofer_req req = { .type = GOFER_MSG_READLINK, .readlink.fid = fid };
	struct gofer_rep rep;
	int ret = call(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	if (rep.error)
		return -rep.error;
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
		ret = call(c, &req, &rep, NULL);
		if (ret < 0)
			return ret;
		if (rep.error)
			return -rep.error;
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
	struct gofer_rep rep;
	int ret = call(c, &req, &rep, NULL);
	if (ret < 0)
		return ret;
	return rep.error ? -rep.error : 0;
}
