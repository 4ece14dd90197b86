#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "runsc/ctl_client.h"
#include "runsc/util.h"

int ctl_connect(const struct container *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	r = container_sock_path(c, CTL_SOCK_NAME, sa.sun_path, sizeof(sa.sun_path));
	if (r < 0)
		return r;
	/* Non-blocking connect: a full backlog (a wedged sentry) reports
	 * EAGAIN instead of blocking. */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int ctl_send(int fd, int op, int arg, uint32_t flags, const void *payload, size_t len,
	     const int *fds, int nfds)
{
	struct ctl_msg h = {
		.magic = CTL_MAGIC, .version = CTL_VERSION, .op = (uint16_t)op, .arg = arg,
		.flags = flags, .len = (uint32_t)len,
	};
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, len } };
	union {
		char buf[CMSG_SPACE(sizeof(int) * CTL_MAX_FDS)];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	if (len > CTL_MAX_MSG || nfds > CTL_MAX_FDS)
		return -E2BIG;
	if (nfds > 0) {
		struct cmsghdr *cm;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	for (;;) {
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		int r;

		if (n >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		do
			r = poll(&p, 1, CTL_TIMEOUT_MS);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			return -ETIMEDOUT;
	}
}

int ctl_recv(int fd, struct ctl_msg *m, char **payload, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	_cleanup_free_ char *buf = NULL;
	ssize_t len, n;
	int r;

	if (payload)
		*payload = NULL;
	for (;;) {
		do
			r = poll(&p, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		len = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len < 0)
			return errno == ECONNRESET ? -ECONNRESET : -errno;
		break;
	}
	if (len == 0)
		return -ECONNRESET;
	if ((size_t)len < sizeof(*m) || (size_t)len > sizeof(*m) + CTL_MAX_MSG)
		return -EPROTO;
	buf = xmalloc((size_t)len + 1);
	n = recv(fd, buf, (size_t)len, MSG_DONTWAIT);
	if (n != len)
		return n < 0 ? -errno : -EPROTO;
	buf[n] = '\0';
	memcpy(m, buf, sizeof(*m));
	if (m->magic != CTL_MAGIC || m->version != CTL_VERSION || m->len != (size_t)n - sizeof(*m))
		return -EPROTO;
	if (payload) {
		*payload = xmalloc(m->len + 1);
		memcpy(*payload, buf + sizeof(*m), m->len);
		(*payload)[m->len] = '\0';
	}
	return 0;
}

int ctl_call(const struct container *c, int op, int arg, uint32_t flags, int *reply_arg,
	     char **msg)
{
	_cleanup_close_ int fd = -1;
	struct ctl_msg m;
	char *payload = NULL;
	int r;

	if (msg)
		*msg = NULL;
	fd = ctl_connect(c);
	if (fd < 0)
		return fd;
	r = ctl_send(fd, op, arg, flags, NULL, 0, NULL, 0);
	if (r < 0)
		return r;
	r = ctl_recv(fd, &m, &payload, CTL_TIMEOUT_MS);
	if (r < 0)
		return r;
	if (m.op != op) {
		free(payload);
		return -EPROTO;
	}
	if (reply_arg)
		*reply_arg = m.arg;
	if (m.status < 0 && msg && payload && *payload)
		*msg = steal_pointer(&payload);
	free(payload);
	return m.status;
}
