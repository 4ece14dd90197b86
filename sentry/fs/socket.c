/* Sockets: the socket file, the options of level SOL_SOCKET and the
 * family switch (see socket.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/socket.h"
#include "sentry/fs/unix_socket.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

/* st_dev of sockets: Linux's sockfs is an anonymous superblock. */
#define SOCKFS_DEV makedev(0, 8)
/* Timeouts are kept in jiffies of a 1000 Hz clock, so what getsockopt
 * reports back is rounded as on a HZ=1000 kernel. */
#define HZ 1000
#define NSEC_PER_JIFFY (1000000000LL / HZ)
#define AF_MAX_LINUX 46  /* NPROTO */
#define SOCK_MAX_LINUX 11 /* SOCK_PACKET + 1 */

#ifndef SO_RCVTIMEO_NEW
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67
#endif

static uint64_t sock_next_ino = 1;
static const struct file_ops socket_fops;

/* ---- data transfer descriptors ---- */

static int iter_copy(const struct sock_iter *it, size_t off, void *buf, size_t n, bool to_user)
{
	char *p = buf;

	if (!it->t) {
		if (to_user)
			memcpy((char *)it->kbuf + off, buf, n);
		else
			memcpy(buf, (char *)it->kbuf + off, n);
		return 0;
	}
	for (int i = 0; i < it->nr_segs && n > 0; i++) {
		size_t seg = it->iov[i].iov_len, c;
		uint64_t base = (uint64_t)(uintptr_t)it->iov[i].iov_base;
		int r;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		c = MIN(seg - off, n);
		r = to_user ? copy_to_user(it->t, base + off, p, c) : copy_from_user(it->t, p, base + off, c);
		if (r)
			return -EFAULT;
		p += c;
		n -= c;
		off = 0;
	}
	return n ? -EFAULT : 0;
}

int sock_iter_copy_from(const struct sock_iter *it, size_t off, void *dst, size_t n)
{
	return iter_copy(it, off, dst, n, false);
}

int sock_iter_copy_to(const struct sock_iter *it, size_t off, const void *src, size_t n)
{
	return iter_copy(it, off, (void *)src, n, true);
}

void scm_destroy(struct scm_cookie *scm)
{
	for (int i = 0; i < scm->nfp; i++)
		file_put(scm->fp[i]);
	free(scm->fp);
	scm->fp = NULL;
	scm->nfp = 0;
}

/* ---- shared state ---- */

void socket_init(struct socket *s, struct task *t, int family, int type, int protocol,
		 const struct socket_ops *ops)
{
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->ops = ops;
	s->ino = sock_next_ino++;
	if (t && t->cred) {
		s->uid = t->cred->fsuid;
		s->gid = t->cred->fsgid;
	}
	s->sndbuf = SOCK_WMEM_DEFAULT;
	s->rcvbuf = SOCK_RMEM_DEFAULT;
	s->rcvlowat = 1;
	s->rcvtimeo_ns = -1;
	s->sndtimeo_ns = -1;
}

int sock_error(struct socket *s)
{
	int e = s->err;

	s->err = 0;
	return -e;
}

int64_t sock_rcvtimeo(const struct socket *s, bool nonblock)
{
	return nonblock ? 0 : s->rcvtimeo_ns;
}

int64_t sock_sndtimeo(const struct socket *s, bool nonblock)
{
	return nonblock ? 0 : s->sndtimeo_ns;
}

int sock_wait_check(struct socket *s, struct task *t, int64_t timeo)
{
	if (timeo == 0 || t->sys.timed_out)
		return -EAGAIN;
	/* sock_intr_errno(): only an untimed wait restarts. */
	if (signal_pending(t))
		return timeo < 0 ? -ERESTARTSYS : -EINTR;
	if (timeo > 0)
		task_set_deadline(t, kernel_mono_ns() + timeo);
	return 0;
}

/* ---- SOL_SOCKET options ---- */

static int put_int(void *val, int *len, int v)
{
	int n = MIN(*len, (int)sizeof(v));

	memcpy(val, &v, (size_t)n);
	*len = n;
	return 0;
}

static void get_timeout(int64_t ns, struct timeval *tv)
{
	int64_t j = ns / NSEC_PER_JIFFY;

	tv->tv_sec = 0;
	tv->tv_usec = 0;
	if (ns < 0)
		return; /* MAX_SCHEDULE_TIMEOUT shows as 0 */
	tv->tv_sec = j / HZ;
	tv->tv_usec = (j % HZ) * (1000000 / HZ);
}

/* sock_set_timeout(): {0, 0} waits forever; a negative time never waits. */
static int set_timeout(int64_t *timeo, const void *val, int len)
{
	struct timeval tv;
	int64_t j;

	if (len < (int)sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*timeo = 0;
		return 0;
	}
	if (tv.tv_sec == 0 && tv.tv_usec == 0) {
		*timeo = -1;
		return 0;
	}
	if (tv.tv_sec >= INT64_MAX / 1000000000LL - 1) {
		*timeo = -1;
		return 0;
	}
	j = tv.tv_sec * HZ + (tv.tv_usec + (1000000 / HZ) - 1) / (1000000 / HZ);
	*timeo = j * NSEC_PER_JIFFY;
	return 0;
}

int sock_getsockopt(struct socket *s, struct task *t, int name, void *val, int *len)
{
	struct sockaddr_storage ss;
	struct linger lg;
	struct timeval tv;
	int n;

	switch (name) {
	case SO_DEBUG:
		return put_int(val, len, s->debug);
	case SO_BROADCAST:
		return put_int(val, len, s->broadcast);
	case SO_SNDBUF:
		return put_int(val, len, s->sndbuf);
	case SO_RCVBUF:
		return put_int(val, len, s->rcvbuf);
	case SO_REUSEADDR:
		return put_int(val, len, s->reuseaddr);
	case SO_REUSEPORT:
		return put_int(val, len, s->reuseport);
	case SO_KEEPALIVE:
		return put_int(val, len, s->keepalive);
	case SO_TYPE:
		return put_int(val, len, s->type);
	case SO_PROTOCOL:
		return put_int(val, len, s->protocol);
	case SO_DOMAIN:
		return put_int(val, len, s->family);
	case SO_ERROR:
		return put_int(val, len, -sock_error(s));
	case SO_OOBINLINE:
		return put_int(val, len, s->oobinline);
	case SO_DONTROUTE:
		return put_int(val, len, s->dontroute);
	case SO_PRIORITY:
		return put_int(val, len, s->priority);
	case SO_PASSCRED:
		return put_int(val, len, s->passcred);
	case SO_RCVLOWAT:
		return put_int(val, len, s->rcvlowat);
	case SO_SNDLOWAT:
		return put_int(val, len, 1);
	case SO_LINGER:
		lg.l_onoff = s->linger_onoff;
		lg.l_linger = s->linger_secs;
		n = MIN(*len, (int)sizeof(lg));
		memcpy(val, &lg, (size_t)n);
		*len = n;
		return 0;
	case SO_RCVTIMEO:
	case SO_SNDTIMEO:
	case SO_RCVTIMEO_NEW:
	case SO_SNDTIMEO_NEW:
		get_timeout(name == SO_RCVTIMEO || name == SO_RCVTIMEO_NEW ? s->rcvtimeo_ns : s->sndtimeo_ns,
			    &tv);
		n = MIN(*len, (int)sizeof(tv));
		memcpy(val, &tv, (size_t)n);
		*len = n;
		return 0;
	case SO_PEERNAME:
		n = s->ops->getname(s, &ss, true);
		if (n < 0)
			return -ENOTCONN;
		if (n < *len)
			return -EINVAL;
		memcpy(val, &ss, (size_t)n);
		*len = n;
		return 0;
	default: {
		char key[48];

		snprintf(key, sizeof(key), "getsockopt-sol-socket-%d", name);
		log_once(key, "getsockopt(SOL_SOCKET, %d) is not supported: ENOPROTOOPT", name);
		return -ENOPROTOOPT;
	}
	}
}

static int set_buf(int *buf, int val, int max, int min, bool force)
{
	unsigned int v = (unsigned int)val;

	if (force) {
		if (val < 0)
			v = 0;
	} else if (v > (unsigned int)max) {
		v = (unsigned int)max;
	}
	if (v > INT32_MAX / 2)
		v = INT32_MAX / 2;
	*buf = MAX((int)v * 2, min);
	return 0;
}

int sock_setsockopt(struct socket *s, struct task *t, int name, const void *val, int len)
{
	struct linger lg;
	int v;

	if (len < (int)sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_DEBUG:
		if (v && !cred_capable(t->cred, CAP_NET_ADMIN))
			return -EACCES;
		s->debug = v != 0;
		return 0;
	case SO_REUSEADDR:
		s->reuseaddr = v != 0;
		return 0;
	case SO_REUSEPORT:
		/* Only internet sockets balance connections across a group. */
		if (v && s->family != AF_INET && s->family != AF_INET6)
			return -EOPNOTSUPP;
		s->reuseport = v != 0;
		return 0;
	case SO_DONTROUTE:
		s->dontroute = v != 0;
		return 0;
	case SO_BROADCAST:
		s->broadcast = v != 0;
		return 0;
	case SO_KEEPALIVE:
		s->keepalive = v != 0;
		return 0;
	case SO_OOBINLINE:
		s->oobinline = v != 0;
		return 0;
	case SO_PASSCRED:
		s->passcred = v != 0;
		return 0;
	case SO_PRIORITY:
		if ((v < 0 || v > 6) && !cred_capable(t->cred, CAP_NET_RAW) &&
		    !cred_capable(t->cred, CAP_NET_ADMIN))
			return -EPERM;
		s->priority = v;
		return 0;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		if (name == SO_SNDBUFFORCE && !cred_capable(t->cred, CAP_NET_ADMIN))
			return -EPERM;
		set_buf(&s->sndbuf, v, SOCK_WMEM_MAX, SOCK_MIN_SNDBUF, name == SO_SNDBUFFORCE);
		/* More room may let blocked senders go on. */
		if (s->ops->write_space)
			s->ops->write_space(s);
		return 0;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		if (name == SO_RCVBUFFORCE && !cred_capable(t->cred, CAP_NET_ADMIN))
			return -EPERM;
		return set_buf(&s->rcvbuf, v, SOCK_RMEM_MAX, SOCK_MIN_RCVBUF, name == SO_RCVBUFFORCE);
	case SO_RCVLOWAT:
		s->rcvlowat = v < 0 ? INT32_MAX : (v ? v : 1);
		return 0;
	case SO_LINGER:
		if (len < (int)sizeof(lg))
			return -EINVAL;
		memcpy(&lg, val, sizeof(lg));
		s->linger_onoff = lg.l_onoff != 0;
		if (lg.l_onoff)
			s->linger_secs = lg.l_linger;
		return 0;
	case SO_RCVTIMEO:
	case SO_RCVTIMEO_NEW:
		return set_timeout(&s->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO:
	case SO_SNDTIMEO_NEW:
		return set_timeout(&s->sndtimeo_ns, val, len);
	case SO_TYPE:
	case SO_PROTOCOL:
	case SO_DOMAIN:
	case SO_ERROR:
	case SO_ACCEPTCONN:
	case SO_PEERCRED:
	case SO_PEERNAME:
	case SO_SNDLOWAT:
		return -ENOPROTOOPT; /* read-only, as in Linux */
	default: {
		char key[48];

		snprintf(key, sizeof(key), "setsockopt-sol-socket-%d", name);
		log_once(key, "setsockopt(SOL_SOCKET, %d) is not supported: ENOPROTOOPT", name);
		return -ENOPROTOOPT;
	}
	}
}

/* ---- the socket file ---- */

struct socket *socket_from_file(struct file *f)
{
	return f && f->ops == &socket_fops ? f->priv : NULL;
}

/* Progress of a blocking transfer across re-runs lives in scratch[0]. */
static ssize_t sock_transfer(struct file *f, struct task *t, struct sock_iter *it, bool send)
{
	struct socket *s = f->priv;
	struct sock_msg m = { .it = *it };
	size_t done = t->sys.scratch[0];
	long r;

	if (f->flags & O_NONBLOCK)
		m.flags |= MSG_DONTWAIT;
	r = send ? s->ops->sendmsg(s, t, &m, &done) : s->ops->recvmsg(s, t, &m, &done);
	scm_destroy(&m.scm); /* read(2) has nowhere to put passed fds */
	if (r == -EBLOCKED)
		t->sys.scratch[0] = done;
	return r;
}

static ssize_t sock_read_user(struct file *f, struct task *t, const struct iovec *iov, int nr,
			      size_t total)
{
	struct sock_iter it = { .t = t, .iov = iov, .nr_segs = nr, .count = total };

	/* sock_read_iter(): an empty read returns at once (SysV behaviour),
	 * unlike recv(2), which waits for and eats a datagram. */
	if (total == 0)
		return 0;
	return sock_transfer(f, t, &it, false);
}

static ssize_t sock_write_user(struct file *f, struct task *t, const struct iovec *iov, int nr,
			       size_t total)
{
	struct sock_iter it = { .t = t, .iov = iov, .nr_segs = nr, .count = total };

	return sock_transfer(f, t, &it, true);
}

/* Sentry-buffer transfers (sendfile, splice) keep their own progress, so
 * a send that got somewhere reports it rather than blocking. */
static ssize_t sock_kernel_rw(struct file *f, struct task *t, void *buf, size_t len, bool send)
{
	struct socket *s = f->priv;
	struct sock_msg m = { .it = { .kbuf = buf, .count = len } };
	size_t done = 0;
	long r;

	if (f->flags & O_NONBLOCK)
		m.flags |= MSG_DONTWAIT;
	r = send ? s->ops->sendmsg(s, t, &m, &done) : s->ops->recvmsg(s, t, &m, &done);
	scm_destroy(&m.scm);
	if (r == -EBLOCKED && done > 0)
		return (ssize_t)done;
	return r;
}

static ssize_t sock_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	return sock_kernel_rw(f, t, buf, len, false);
}

static ssize_t sock_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos)
{
	return sock_kernel_rw(f, t, (void *)buf, len, true);
}

static unsigned int sock_poll(struct file *f, struct task *t, unsigned int events)
{
	struct socket *s = f->priv;

	return s->ops->poll(s, t, events);
}

static long sock_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct socket *s = f->priv;

	if (!s->ops->ioctl)
		return -ENOTTY;
	return s->ops->ioctl(s, t, cmd, arg);
}

static int sock_getattr(struct file *f, struct stat *st)
{
	struct socket *s = f->priv;

	memset(st, 0, sizeof(*st));
	st->st_dev = SOCKFS_DEV;
	st->st_ino = s->ino;
	st->st_mode = S_IFSOCK | 0777;
	st->st_nlink = 1;
	st->st_uid = s->uid;
	st->st_gid = s->gid;
	st->st_blksize = 4096;
	return 0;
}

static void sock_release(struct file *f)
{
	struct socket *s = f->priv;

	s->file = NULL;
	s->ops->release(s);
}

static const struct file_ops socket_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.getattr = sock_getattr,
	.release = sock_release,
	.read_user = sock_read_user,
	.write_user = sock_write_user,
};

struct file *socket_file_new(struct socket *s, int flags)
{
	struct file *f = file_alloc(&socket_fops, O_RDWR | (flags & O_NONBLOCK), s);

	s->file = f;
	return f;
}

/* ---- families ---- */

static int family_unsupported(int family)
{
	char key[40];

	snprintf(key, sizeof(key), "socket-family-%d", family);
	log_once(key, "socket: address family %d is not supported (no network stack): EAFNOSUPPORT",
		 family);
	return -EAFNOSUPPORT;
}

int socket_create(struct task *t, int family, int type, int protocol, struct socket **out)
{
	if (family < 0 || family >= AF_MAX_LINUX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_MAX_LINUX)
		return -EINVAL;
	if (family == AF_UNIX)
		return unix_create(t, type, protocol, out);
	return family_unsupported(family);
}

int socket_create_pair(struct task *t, int family, int type, int protocol, struct socket **a,
		       struct socket **b)
{
	int rc;

	rc = socket_create(t, family, type, protocol, a);
	if (rc < 0)
		return rc;
	rc = socket_create(t, family, type, protocol, b);
	if (rc < 0) {
		(*a)->ops->release(*a);
		return rc;
	}
	rc = (*a)->ops->socketpair ? (*a)->ops->socketpair(*a, *b, t) : -EOPNOTSUPP;
	if (rc < 0) {
		(*a)->ops->release(*a);
		(*b)->ops->release(*b);
	}
	return rc;
}
