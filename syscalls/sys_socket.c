/* Socket syscalls: socket, socketpair, bind, listen, accept/accept4,
 * connect, getsockname/getpeername, the send and receive calls (with
 * sendmmsg and recvmmsg), shutdown, getsockopt/setsockopt (net/socket.c,
 * net/core/scm.c). Arguments are copied in and checked in Linux's order, the
 * family does the work (sentry/fs/socket.h), and ancillary data
 * (SCM_RIGHTS, SCM_CREDENTIALS) is turned into and out of struct
 * scm_cookie here.
 *
 * A blocking transfer keeps its progress in t->sys.scratch[0] across
 * re-runs (see socket.h); sendmmsg/recvmmsg add the number of messages
 * done in scratch[1], and recvmmsg its deadline in scratch[2]. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/socket.h"
#include "sentry/kernel.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

#ifndef UIO_MAXIOV
#define UIO_MAXIOV 1024
#endif
#define MAX_RW_COUNT ((size_t)INT_MAX & ~(size_t)4095)
#define TASK_SIZE_MAX 0x7ffffffff000ULL
#define OPTMEM_MAX 131072 /* net.core.optmem_max: the largest control buffer */
#define OVERFLOW_ID 65534 /* what an unmapped uid/gid reads as */
#ifndef MSG_CMSG_COMPAT
#define MSG_CMSG_COMPAT 0x80000000
#endif

static void file_putp(struct file **f)
{
	if (*f)
		file_put(*f);
}
#define _cleanup_file_ _cleanup_(file_putp)

static bool access_ok(uint64_t addr, size_t len)
{
	return len <= TASK_SIZE_MAX && addr <= TASK_SIZE_MAX - len;
}

/* sockfd_lookup_light(): the socket behind fd (its file in *fp). */
static struct socket *sockfd_lookup(struct task *t, int fd, struct file **fp, int *err)
{
	struct file *f = fd_get(t, fd);
	struct socket *s;

	*fp = f;
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	s = socket_from_file(f);
	if (!s)
		*err = -ENOTSOCK;
	return s;
}

/* move_addr_to_kernel() */
static int addr_from_user(struct task *t, uint64_t uaddr, int len, struct sockaddr_storage *addr)
{
	if (len < 0 || len > (int)sizeof(*addr))
		return -EINVAL;
	memset(addr, 0, sizeof(*addr));
	if (len == 0)
		return 0;
	return copy_from_user(t, addr, uaddr, (size_t)len) ? -EFAULT : 0;
}

/* move_addr_to_user(): at most *ulen bytes of the address, and its full
 * length back into *ulen. */
static int addr_to_user(struct task *t, const struct sockaddr_storage *addr, int klen, uint64_t uaddr,
			uint64_t ulen)
{
	int len;

	if (copy_from_user(t, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_user(t, uaddr, addr, (size_t)len))
		return -EFAULT;
	return copy_to_user(t, ulen, &klen, sizeof(klen)) ? -EFAULT : 0;
}

/* ---- socket, socketpair ---- */

static int check_type_flags(int type)
{
	return (type & ~0xf) & ~(SOCK_CLOEXEC | SOCK_NONBLOCK) ? -EINVAL : 0;
}

SYSCALL_DEFINE(socket, "ddd")
{
	int family = (int)a->a[0], type = (int)a->a[1], protocol = (int)a->a[2];
	struct socket *s;
	struct file *f;
	int rc;

	if ((rc = check_type_flags(type)) < 0)
		return rc;
	rc = socket_create(t, family, type & 0xf, protocol, &s);
	if (rc < 0)
		return rc;
	f = socket_file_new(s, (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	rc = fd_install(t, 0, f, type & SOCK_CLOEXEC);
	file_put(f);
	return rc;
}

SYSCALL_DEFINE(socketpair, "dddp")
{
	int family = (int)a->a[0], type = (int)a->a[1], protocol = (int)a->a[2];
	int nb = (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0, fds[2];
	struct socket *s1, *s2;
	struct file *f1, *f2;
	int rc;

	if ((rc = check_type_flags(type)) < 0)
		return rc;
	rc = socket_create_pair(t, family, type & 0xf, protocol, &s1, &s2);
	if (rc < 0)
		return rc;
	f1 = socket_file_new(s1, nb);
	f2 = socket_file_new(s2, nb);
	fds[0] = fd_install(t, 0, f1, type & SOCK_CLOEXEC);
	fds[1] = fds[0] < 0 ? fds[0] : fd_install(t, 0, f2, type & SOCK_CLOEXEC);
	file_put(f1);
	file_put(f2);
	rc = fds[1] < 0 ? fds[1] : 0;
	if (rc == 0 && copy_to_user(t, a->a[3], fds, sizeof(fds)))
		rc = -EFAULT;
	if (rc < 0) {
		if (fds[0] >= 0)
			fd_close(t, fds[0]);
		if (fds[1] >= 0)
			fd_close(t, fds[1]);
	}
	return rc;
}

/* ---- addresses and connections ---- */

SYSCALL_DEFINE(bind, "dpd")
{
	_cleanup_file_ struct file *f = NULL;
	struct sockaddr_storage addr;
	struct socket *s;
	int rc;

	s = sockfd_lookup(t, (int)a->a[0], &f, &rc);
	if (!s)
		return rc;
	rc = addr_from_user(t, a->a[1], (int)a->a[2], &addr);
	if (rc < 0)
		return rc;
	return s->ops->bind(s, t, &addr, (int)a->a[2]);
}

SYSCALL_DEFINE(listen, "dd")
{
	_cleanup_file_ struct file *f = NULL;
	int backlog = (int)a->a[1], rc;
	struct socket *s;

	s = sockfd_lookup(t, (int)a->a[0], &f, &rc);
	if (!s)
		return rc;
	if ((unsigned int)backlog > SOMAXCONN_DEFAULT)
		backlog = SOMAXCONN_DEFAULT;
	return s->ops->listen(s, t, backlog);
}

SYSCALL_DEFINE(connect, "dpd")
{
	_cleanup_file_ struct file *f = NULL;
	struct sockaddr_storage addr;
	struct socket *s;
	int rc;

	s = sockfd_lookup(t, (int)a->a[0], &f, &rc);
	if (!s)
		return rc;
	rc = addr_from_user(t, a->a[1], (int)a->a[2], &addr);
	if (rc < 0)
		return rc;
	return s->ops->connect(s, t, &addr, (int)a->a[2], f->flags);
}

static long do_accept(struct task *t, int fd, uint64_t uaddr, uint64_t ulen, int flags)
{
	_cleanup_file_ struct file *f = NULL;
	struct sockaddr_storage addr;
	struct socket *s, *ns;
	struct file *nf;
	int rc, len;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	s = sockfd_lookup(t, fd, &f, &rc);
	if (!s)
		return rc;
	/* Linux takes the descriptor before it waits for a connection. */
	rc = fd_find_free(t, 0);
	if (rc < 0)
		return rc;
	rc = s->ops->accept(s, t, f->flags, &ns);
	if (rc < 0)
		return rc;
	nf = socket_file_new(ns, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if (uaddr) {
		len = ns->ops->getname(ns, &addr, true);
		rc = len < 0 ? -ECONNABORTED : addr_to_user(t, &addr, len, uaddr, ulen);
		if (rc < 0) {
			file_put(nf); /* the connection is dropped, as in Linux */
			return rc;
		}
	}
	rc = fd_install(t, 0, nf, flags & SOCK_CLOEXEC);
	file_put(nf);
	return rc;
}

SYSCALL_DEFINE(accept, "dpp")
{
	return do_accept(t, (int)a->a[0], a->a[1], a->a[2], 0);
}

SYSCALL_DEFINE(accept4, "dppx")
{
	return do_accept(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}

static long do_getname(struct task *t, int fd, uint64_t uaddr, uint64_t ulen, bool peer)
{
	_cleanup_file_ struct file *f = NULL;
	struct sockaddr_storage addr;
	struct socket *s;
	int rc, len;

	s = sockfd_lookup(t, fd, &f, &rc);
	if (!s)
		return rc;
	len = s->ops->getname(s, &addr, peer);
	if (len < 0)
		return len;
	return addr_to_user(t, &addr, len, uaddr, ulen);
}

SYSCALL_DEFINE(getsockname, "dpp")
{
	return do_getname(t, (int)a->a[0], a->a[1], a->a[2], false);
}

SYSCALL_DEFINE(getpeername, "dpp")
{
	return do_getname(t, (int)a->a[0], a->a[1], a->a[2], true);
}

SYSCALL_DEFINE(shutdown, "dd")
{
	_cleanup_file_ struct file *f = NULL;
	struct socket *s;
	int rc;

	s = sockfd_lookup(t, (int)a->a[0], &f, &rc);
	if (!s)
		return rc;
	return s->ops->shutdown(s, (int)a->a[1]);
}

/* ---- ancillary data ---- */

static bool in_ids(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == a || id == b || id == c;
}

/* scm_check_creds(): a sender may claim its own pid and any of its ids,
 * or others with CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID. */
static int scm_check_creds(struct task *t, const struct ucred *uc)
{
	const struct cred *c = t->cred;

	if (uc->uid == (uid_t)-1 || uc->gid == (gid_t)-1)
		return -EINVAL;
	if ((uc->pid == task_tgid(t) || cred_capable(c, CAP_SYS_ADMIN)) &&
	    (in_ids(uc->uid, c->uid, c->euid, c->suid) || cred_capable(c, CAP_SETUID)) &&
	    (in_ids(uc->gid, c->gid, c->egid, c->sgid) || cred_capable(c, CAP_SETGID)))
		return 0;
	return -EPERM;
}

/* scm_fp_copy(): the files of one SCM_RIGHTS message, added to scm. */
static int scm_fp_copy(struct task *t, const struct cmsghdr *cm, struct scm_cookie *scm)
{
	int num = (int)((cm->cmsg_len - sizeof(*cm)) / sizeof(int));
	const int *fds = (const int *)CMSG_DATA(cm);

	if (num <= 0)
		return 0;
	if (num > SCM_MAX_FD || scm->nfp + num > SCM_MAX_FD)
		return -EINVAL;
	if (!scm->fp)
		scm->fp = xmalloc(SCM_MAX_FD * sizeof(*scm->fp));
	for (int i = 0; i < num; i++) {
		struct file *f = fds[i] < 0 ? NULL : fd_get(t, fds[i]);

		if (!f)
			return -EBADF;
		scm->fp[scm->nfp++] = f;
	}
	return 0;
}

/* __scm_send(): control messages of level SOL_SOCKET; others are
 * skipped. ctl holds ctl_len bytes copied from the caller. */
static int scm_send(struct task *t, struct socket *s, const char *ctl, size_t ctl_len,
		    struct scm_cookie *scm)
{
	size_t off = 0;
	struct ucred uc;
	int rc;

	while (ctl_len - off >= sizeof(struct cmsghdr)) {
		const struct cmsghdr *cm = (const struct cmsghdr *)(ctl + off);

		if (cm->cmsg_len < sizeof(*cm) || cm->cmsg_len > ctl_len - off)
			return -EINVAL;
		if (cm->cmsg_level == SOL_SOCKET) {
			switch (cm->cmsg_type) {
			case SCM_RIGHTS:
				if (s->family != AF_UNIX)
					return -EINVAL;
				if ((rc = scm_fp_copy(t, cm, scm)) < 0)
					return rc;
				break;
			case SCM_CREDENTIALS:
				if (cm->cmsg_len != CMSG_LEN(sizeof(uc)))
					return -EINVAL;
				memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
				if ((rc = scm_check_creds(t, &uc)) < 0)
					return rc;
				if (uc.pid != task_tgid(t) && !tg_lookup(uc.pid))
					return -ESRCH;
				scm->has_creds = true;
				scm->pid = uc.pid;
				scm->uid = uc.uid;
				scm->gid = uc.gid;
				break;
			default:
				return -EINVAL;
			}
		}
		off += CMSG_ALIGN(cm->cmsg_len);
		if (off > ctl_len)
			break;
	}
	return 0;
}

/* Where received control messages go (the caller's msg_control). */
struct recv_ctl {
	uint64_t ptr;      /* next free byte in user memory; 0: no buffer */
	size_t left;
	size_t used;
	int *msg_flags;
};

/* put_cmsg() */
static int put_cmsg(struct task *t, struct recv_ctl *c, int level, int type, const void *data,
		    size_t len)
{
	struct cmsghdr h;
	size_t cmlen = CMSG_LEN(len), space;

	if (!c->ptr || c->left < sizeof(h)) {
		*c->msg_flags |= MSG_CTRUNC;
		return 0;
	}
	if (c->left < cmlen) {
		*c->msg_flags |= MSG_CTRUNC;
		cmlen = c->left;
	}
	h.cmsg_len = cmlen;
	h.cmsg_level = level;
	h.cmsg_type = type;
	if (copy_to_user(t, c->ptr, &h, sizeof(h)) ||
	    copy_to_user(t, c->ptr + sizeof(h), data, cmlen - sizeof(h)))
		return -EFAULT;
	space = MIN(CMSG_SPACE(len), c->left);
	c->ptr += space;
	c->left -= space;
	c->used += space;
	return 0;
}

/* scm_detach_fds(): installs as many passed files as fit in the buffer
 * and the fd table; the rest are closed and MSG_CTRUNC says so. */
static void scm_detach_fds(struct task *t, struct recv_ctl *c, struct scm_cookie *scm, bool cloexec)
{
	int fdmax = c->left > sizeof(struct cmsghdr) ?
		    (int)((c->left - sizeof(struct cmsghdr)) / sizeof(int)) : 0;
	uint64_t data = c->ptr + CMSG_LEN(0);
	int i;

	fdmax = MIN(fdmax, scm->nfp);
	for (i = 0; i < fdmax; i++) {
		int fd = fd_install(t, 0, scm->fp[i], cloexec);

		if (fd < 0)
			break;
		if (copy_to_user(t, data + (uint64_t)i * sizeof(int), &fd, sizeof(fd))) {
			fd_close(t, fd);
			break;
		}
	}
	if (i > 0) {
		struct cmsghdr h = { .cmsg_len = CMSG_LEN((size_t)i * sizeof(int)),
				     .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS };

		if (copy_to_user(t, c->ptr, &h, sizeof(h)) == 0) {
			size_t space = MIN(CMSG_SPACE((size_t)i * sizeof(int)), c->left);

			c->ptr += space;
			c->left -= space;
			c->used += space;
		}
	}
	if (i < scm->nfp || (scm->nfp && fdmax <= 0))
		*c->msg_flags |= MSG_CTRUNC;
}

/* scm_recv(): credentials when SO_PASSCRED is on, then passed files. */
static int scm_recv(struct task *t, struct socket *s, struct recv_ctl *c, struct scm_cookie *scm,
		    int flags)
{
	int rc;

	if (!c->ptr) {
		if (s->passcred || scm->nfp)
			*c->msg_flags |= MSG_CTRUNC;
		return 0;
	}
	if (s->passcred) {
		struct ucred uc = { .pid = 0, .uid = OVERFLOW_ID, .gid = OVERFLOW_ID };

		if (scm->has_creds) {
			uc.pid = scm->pid;
			uc.uid = scm->uid;
			uc.gid = scm->gid;
		}
		rc = put_cmsg(t, c, SOL_SOCKET, SCM_CREDENTIALS, &uc, sizeof(uc));
		if (rc < 0)
			return rc;
	}
	if (scm->nfp)
		scm_detach_fds(t, c, scm, flags & MSG_CMSG_CLOEXEC);
	return 0;
}

/* ---- send ---- */

/* The user's iovec array, checked as import_iovec() does. */
static int import_iovec(struct task *t, uint64_t uiov, uint64_t nr, struct iovec **out, size_t *total)
{
	struct iovec *iov;
	size_t sum = 0;

	*out = NULL;
	*total = 0;
	if (nr > UIO_MAXIOV)
		return -EINVAL;
	iov = xmalloc(MAX(nr, 1) * sizeof(*iov));
	if (nr && copy_from_user(t, iov, uiov, nr * sizeof(*iov))) {
		free(iov);
		return -EFAULT;
	}
	for (uint64_t i = 0; i < nr; i++) {
		if ((ssize_t)iov[i].iov_len < 0) {
			free(iov);
			return -EINVAL;
		}
	}
	for (uint64_t i = 0; i < nr; i++) {
		if (!access_ok((uint64_t)(uintptr_t)iov[i].iov_base, iov[i].iov_len)) {
			free(iov);
			return -EFAULT;
		}
		if (iov[i].iov_len > MAX_RW_COUNT - sum)
			iov[i].iov_len = MAX_RW_COUNT - sum;
		sum += iov[i].iov_len;
	}
	*out = iov;
	*total = sum;
	return 0;
}

/* Runs the family's sendmsg with progress kept across re-runs. */
static long sock_sendmsg(struct task *t, struct socket *s, struct file *f, struct sock_msg *m,
			 uint64_t *progress)
{
	size_t done = *progress;
	long r;

	if (f->flags & O_NONBLOCK)
		m->flags |= MSG_DONTWAIT;
	r = s->ops->sendmsg(s, t, m, &done);
	if (r == -EBLOCKED)
		*progress = done;
	return r;
}

static long sock_recvmsg(struct task *t, struct socket *s, struct file *f, struct sock_msg *m,
			 uint64_t *progress)
{
	size_t done = *progress;
	long r;

	if (f->flags & O_NONBLOCK)
		m->flags |= MSG_DONTWAIT;
	r = s->ops->recvmsg(s, t, m, &done);
	if (r == -EBLOCKED)
		*progress = done;
	return r;
}

/* sendto's and recvfrom's socket (fd a0) and their one buffer (a1, a2
 * bytes, at most MAX_RW_COUNT) as the message's only segment. */
static struct socket *buf_msg(struct task *t, const struct syscall_args *a, struct file **f,
			      struct iovec *iov, struct sock_msg *m, int *err)
{
	*iov = (struct iovec){ (void *)(uintptr_t)a->a[1], MIN((size_t)a->a[2], MAX_RW_COUNT) };
	*m = (struct sock_msg){ .it = { .t = t, .iov = iov, .nr_segs = 1, .count = iov->iov_len } };
	if (!access_ok(a->a[1], iov->iov_len)) {
		*err = -EFAULT;
		return NULL;
	}
	return sockfd_lookup(t, (int)a->a[0], f, err);
}

SYSCALL_DEFINE(sendto, "dbuxpd")
{
	_cleanup_file_ struct file *f = NULL;
	struct iovec iov;
	struct sock_msg m;
	struct socket *s;
	int rc;
	long r;

	s = buf_msg(t, a, &f, &iov, &m, &rc);
	if (!s)
		return rc;
	if (a->a[4]) {
		rc = addr_from_user(t, a->a[4], (int)a->a[5], &m.name);
		if (rc < 0)
			return rc;
		m.namelen = (int)a->a[5];
	}
	m.flags = (int)a->a[3];
	r = sock_sendmsg(t, s, f, &m, &t->sys.scratch[0]);
	scm_destroy(&m.scm);
	return r;
}

SYSCALL_DEFINE(recvfrom, "dpuxpp")
{
	_cleanup_file_ struct file *f = NULL;
	struct iovec iov;
	struct sock_msg m;
	struct socket *s;
	int rc;
	long r;

	s = buf_msg(t, a, &f, &iov, &m, &rc);
	if (!s)
		return rc;
	m.flags = (int)a->a[3];
	r = sock_recvmsg(t, s, f, &m, &t->sys.scratch[0]);
	scm_destroy(&m.scm); /* no control buffer: passed files are closed */
	if (r >= 0 && a->a[4]) {
		rc = addr_to_user(t, &m.name, m.namelen, a->a[4], a->a[5]);
		if (rc < 0)
			r = rc;
	}
	return r;
}

/* copy_msghdr_from_user(): the msghdr at umsg and its iovec, which goes
 * into m->it (*iov is then the caller's to free). A name buffer of length
 * 0, or none, is no name; a negative length is refused only with a
 * buffer. For sendmsg (save_addr false) the name goes into m. */
static int msghdr_from_user(struct task *t, uint64_t umsg, struct msghdr *mh, bool save_addr,
			    struct sock_msg *m, struct iovec **iov)
{
	size_t total;
	int rc;

	if (copy_from_user(t, mh, umsg, sizeof(*mh)))
		return -EFAULT;
	if (!mh->msg_name)
		mh->msg_namelen = 0;
	if ((int)mh->msg_namelen < 0)
		return -EINVAL;
	if (mh->msg_namelen > sizeof(struct sockaddr_storage))
		mh->msg_namelen = sizeof(struct sockaddr_storage);
	if (!save_addr && mh->msg_name && mh->msg_namelen) {
		rc = addr_from_user(t, (uint64_t)(uintptr_t)mh->msg_name, (int)mh->msg_namelen, &m->name);
		if (rc < 0)
			return rc;
		m->namelen = (int)mh->msg_namelen;
	}
	if (mh->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	rc = import_iovec(t, (uint64_t)(uintptr_t)mh->msg_iov, mh->msg_iovlen, iov, &total);
	if (rc < 0)
		return rc;
	m->it.iov = *iov;
	m->it.nr_segs = (int)mh->msg_iovlen;
	m->it.count = total;
	return 0;
}

/* sendmsg's control messages, into m->scm. */
static int msghdr_control_from_user(struct task *t, struct socket *s, const struct msghdr *mh,
				    struct sock_msg *m)
{
	_cleanup_free_ char *ctl = NULL;

	if (mh->msg_controllen > INT_MAX)
		return -ENOBUFS;
	if (!mh->msg_controllen)
		return 0;
	if (mh->msg_controllen > OPTMEM_MAX)
		return -ENOBUFS;
	ctl = xmalloc(mh->msg_controllen);
	if (copy_from_user(t, ctl, (uint64_t)(uintptr_t)mh->msg_control, mh->msg_controllen))
		return -EFAULT;
	return scm_send(t, s, ctl, mh->msg_controllen, &m->scm);
}

/* recvmsg's answer in the msghdr at umsg: the sender's name (when there
 * is a buffer for it), msg_flags and the control bytes used. */
static int msghdr_to_user(struct task *t, uint64_t umsg, const struct msghdr *mh,
			  const struct sock_msg *m, size_t controllen)
{
	int rc;

	if (mh->msg_name) {
		rc = addr_to_user(t, &m->name, m->namelen, (uint64_t)(uintptr_t)mh->msg_name,
				  umsg + offsetof(struct msghdr, msg_namelen));
		if (rc < 0)
			return rc;
	}
	if (copy_to_user(t, umsg + offsetof(struct msghdr, msg_flags), &m->msg_flags, sizeof(int)))
		return -EFAULT;
	if (copy_to_user(t, umsg + offsetof(struct msghdr, msg_controllen), &controllen,
			 sizeof(size_t)))
		return -EFAULT;
	return 0;
}

/* One sendmsg(2) of the msghdr at umsg (shared with sendmmsg). */
static long do_sendmsg(struct task *t, struct socket *s, struct file *f, uint64_t umsg, int flags,
		       uint64_t *progress)
{
	_cleanup_free_ struct iovec *iov = NULL;
	struct sock_msg m = { .it = { .t = t } };
	struct msghdr mh;
	long r;

	r = msghdr_from_user(t, umsg, &mh, false, &m, &iov);
	if (r == 0)
		r = msghdr_control_from_user(t, s, &mh, &m);
	if (r == 0) {
		m.flags = flags;
		r = sock_sendmsg(t, s, f, &m, progress);
	}
	scm_destroy(&m.scm);
	return r;
}

/* One recvmsg(2) into the msghdr at umsg (shared with recvmmsg). */
static long do_recvmsg(struct task *t, struct socket *s, struct file *f, uint64_t umsg, int flags,
		       uint64_t *progress)
{
	_cleanup_free_ struct iovec *iov = NULL;
	struct sock_msg m = { .it = { .t = t } };
	struct recv_ctl c;
	struct msghdr mh;
	long r;
	int rc;

	rc = msghdr_from_user(t, umsg, &mh, true, &m, &iov);
	if (rc < 0)
		return rc;
	m.flags = flags;
	m.msg_flags = flags & MSG_CMSG_CLOEXEC;
	r = sock_recvmsg(t, s, f, &m, progress);
	if (r < 0) {
		scm_destroy(&m.scm);
		return r;
	}
	c = (struct recv_ctl){ .ptr = (uint64_t)(uintptr_t)mh.msg_control, .left = mh.msg_controllen,
			       .msg_flags = &m.msg_flags };
	if (!mh.msg_control)
		c.left = 0;
	rc = scm_recv(t, s, &c, &m.scm, flags);
	scm_destroy(&m.scm);
	if (rc == 0)
		rc = msghdr_to_user(t, umsg, &mh, &m, c.used);
	return rc < 0 ? rc : r;
}

typedef long (*msg_fn)(struct task *t, struct socket *s, struct file *f, uint64_t umsg, int flags,
		       uint64_t *progress);

/* sendmsg(2) and recvmsg(2). */
static long sys_msg(struct task *t, const struct syscall_args *a, msg_fn fn)
{
	_cleanup_file_ struct file *f = NULL;
	int flags = (int)a->a[2], rc;
	struct socket *s;

	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	s = sockfd_lookup(t, (int)a->a[0], &f, &rc);
	if (!s)
		return rc;
	return fn(t, s, f, a->a[1], flags, &t->sys.scratch[0]);
}

/* One entry of sendmmsg/recvmmsg: the message, then its msg_len. */
static long mmsg_one(struct task *t, struct socket *s, struct file *f, uint64_t ent, int flags,
		     msg_fn fn)
{
	long r = fn(t, s, f, ent, flags, &t->sys.scratch[0]);
	unsigned int len;

	if (r < 0)
		return r;
	t->sys.scratch[0] = 0;
	len = (unsigned int)r;
	if (copy_to_user(t, ent + offsetof(struct mmsghdr, msg_len), &len, sizeof(len)))
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE(sendmsg, "dpx")
{
	return sys_msg(t, a, do_sendmsg);
}

SYSCALL_DEFINE(sendmmsg, "dpux")
{
	_cleanup_file_ struct file *f = NULL;
	unsigned int vlen = (unsigned int)a->a[2];
	int flags = (int)a->a[3], rc;
	uint64_t i = t->sys.scratch[1];
	struct socket *s;
	long r = 0;

	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	s = sockfd_lookup(t, (int)a->a[0], &f, &rc);
	if (!s)
		return rc;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (; i < vlen; i++) {
		r = mmsg_one(t, s, f, a->a[1] + i * sizeof(struct mmsghdr), flags, do_sendmsg);
		if (r == -EBLOCKED) {
			t->sys.scratch[1] = i;
			return r;
		}
		if (r < 0)
			break;
	}
	/* An error only when nothing was sent. */
	return i ? (long)i : r;
}

/* ---- receive ---- */

SYSCALL_DEFINE(recvmsg, "dpx")
{
	return sys_msg(t, a, do_recvmsg);
}

/* do_recvmmsg(): the timeout is only looked at between messages (Linux
 * never made the receive itself honour it); MSG_WAITFORONE stops waiting
 * after the first message. */
SYSCALL_DEFINE(recvmmsg, "dpuxp")
{
	_cleanup_file_ struct file *f = NULL;
	unsigned int vlen = (unsigned int)a->a[2];
	int flags = (int)a->a[3], rc;
	uint64_t i = t->sys.scratch[1];
	struct timespec ts;
	struct socket *s;
	long r = 0;

	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	if (a->a[4] && !t->sys.restarted) {
		if (copy_from_user(t, &ts, a->a[4], sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		t->sys.scratch[2] = (uint64_t)(kernel_mono_ns() + ts.tv_sec * 1000000000LL + ts.tv_nsec);
	}
	s = sockfd_lookup(t, (int)a->a[0], &f, &rc);
	if (!s)
		return rc;
	if (i == 0 && (rc = sock_error(s)) < 0)
		return rc;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (; i < vlen; i++) {
		int fl = flags & ~MSG_WAITFORONE;

		if (i > 0 && (flags & MSG_WAITFORONE))
			fl |= MSG_DONTWAIT;
		r = mmsg_one(t, s, f, a->a[1] + i * sizeof(struct mmsghdr), fl, do_recvmsg);
		if (r == -EBLOCKED) {
			t->sys.scratch[1] = i;
			return r;
		}
		if (r < 0)
			break;
		r = 0;
		if (a->a[4] && kernel_mono_ns() >= (int64_t)t->sys.scratch[2]) {
			i++;
			break;
		}
	}
	if (a->a[4]) {
		int64_t left = (int64_t)t->sys.scratch[2] - kernel_mono_ns();

		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000000000LL;
		ts.tv_nsec = left % 1000000000LL;
		if (copy_to_user(t, a->a[4], &ts, sizeof(ts)))
			return -EFAULT;
	}
	if (i == 0)
		return r;
	/* An error after some messages is kept for the next call. */
	if (r < 0 && r != -EAGAIN && r != -ERESTARTSYS && r != -EINTR)
		s->err = (int)-r;
	return (long)i;
}

/* ---- options ---- */

SYSCALL_DEFINE(getsockopt, "dddpp")
{
	_cleanup_file_ struct file *f = NULL;
	int level = (int)a->a[1], name = (int)a->a[2], len = 0, rc;
	char val[128];
	struct socket *s;

	s = sockfd_lookup(t, (int)a->a[0], &f, &rc);
	if (!s)
		return rc;
	if (level != SOL_SOCKET) {
		/* The family's own levels; AF_UNIX has none. */
		rc = s->ops->getsockopt(s, t, level, name, val, &len);
		return rc == -ENOPROTOOPT ? -EOPNOTSUPP : rc;
	}
	if (copy_from_user(t, &len, a->a[4], sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = MIN(len, (int)sizeof(val));
	rc = s->ops->getsockopt(s, t, level, name, val, &len);
	if (rc == -ENOPROTOOPT)
		rc = sock_getsockopt(s, t, name, val, &len);
	if (rc < 0)
		return rc;
	if (len && copy_to_user(t, a->a[3], val, (size_t)len))
		return -EFAULT;
	return copy_to_user(t, a->a[4], &len, sizeof(len)) ? -EFAULT : 0;
}

SYSCALL_DEFINE(setsockopt, "dddpd")
{
	_cleanup_file_ struct file *f = NULL;
	int level = (int)a->a[1], name = (int)a->a[2], len = (int)a->a[4], rc;
	char val[sizeof(struct timeval)] = { 0 };
	size_t need = sizeof(int);
	struct socket *s;

	if (len < 0)
		return -EINVAL;
	s = sockfd_lookup(t, (int)a->a[0], &f, &rc);
	if (!s)
		return rc;
	if (level != SOL_SOCKET) {
		rc = s->ops->setsockopt(s, t, level, name, NULL, len);
		return rc == -ENOPROTOOPT ? -EOPNOTSUPP : rc;
	}
	/* Read only as much as the option takes, as Linux does. */
	if (name == SO_LINGER)
		need = sizeof(struct linger);
	else if (name == SO_RCVTIMEO || name == SO_SNDTIMEO || name == 66 || name == 67)
		need = sizeof(struct timeval);
	if (len >= (int)sizeof(int) && copy_from_user(t, val, a->a[3], MIN((size_t)len, need)))
		return -EFAULT;
	rc = s->ops->setsockopt(s, t, level, name, val, len);
	if (rc == -ENOPROTOOPT)
		rc = sock_setsockopt(s, t, name, val, len);
	return rc;
}
