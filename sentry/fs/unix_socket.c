/* AF_UNIX: creation, addresses (abstract, filesystem, autobind),
 * connections (socketpair, listen, connect, accept), shutdown, close,
 * poll, ioctl and the family's options. Data transfer is in unix_msg.c.
 * See unix_internal.h for the model. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/unix_internal.h"
#include "sentry/fs/unix_socket.h"
#include "sentry/kernel.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

struct list_head unix_all_socks = LIST_HEAD_INIT(unix_all_socks);
/* Sockets that own a name, abstract or filesystem. */
static struct list_head unix_bound = LIST_HEAD_INIT(unix_bound);

static const struct socket_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

/* ---- lifetime ---- */

static struct unix_sock *unix_sock_alloc(struct task *t, int type)
{
	struct unix_sock *u = xzalloc(sizeof(*u));
	const struct socket_ops *ops = type == SOCK_STREAM ? &unix_stream_ops :
				       type == SOCK_SEQPACKET ? &unix_seqpacket_ops : &unix_dgram_ops;

	socket_init(&u->sock, t, AF_UNIX, type, 0, ops);
	u->refcount = 1;
	u->state = UNIX_CLOSE;
	list_init(&u->queue);
	list_init(&u->bound_link);
	list_init(&u->peer_wake.link);
	wq_init(&u->wq);
	u->max_ack_backlog = UNIX_MAX_DGRAM_QLEN;
	list_add_tail(&u->all_link, &unix_all_socks);
	return u;
}

void unix_sock_hold(struct unix_sock *u)
{
	u->refcount++;
}

void unix_sock_put(struct unix_sock *u)
{
	if (!u || --u->refcount > 0)
		return;
	/* Nobody may still wait on the queue that goes away. */
	wq_wake_all(&u->wq);
	list_del(&u->all_link);
	free(u);
}

static void unix_unbind(struct unix_sock *u)
{
	if (u->bound) {
		list_del(&u->bound_link);
		list_init(&u->bound_link);
		u->bound = false;
	}
	if (u->path.dentry) {
		path_put(&u->path);
		u->path.dentry = NULL;
		u->path.mnt = NULL;
	}
}

void unix_release_sock(struct unix_sock *u, bool embryo)
{
	struct unix_sock *pair = u->peer;

	unix_unbind(u);
	unix_dgram_peer_wake_disconnect(u);
	u->dead = true;
	u->shutdown = SHUTDOWN_MASK;
	u->state = UNIX_CLOSE;
	u->peer = NULL;
	wq_wake_all(&u->wq);

	if (pair) {
		if (u->sock.type != SOCK_DGRAM) {
			/* The other end reads what is left, then EOF; if it
			 * had sent data nobody will read (or the connection
			 * was never accepted), it learns of the loss. */
			pair->shutdown = SHUTDOWN_MASK;
			if (!list_empty(&u->queue) || embryo)
				pair->sock.err = ECONNRESET;
		}
		/* Datagram senders waiting on our queue, stream ends for EOF. */
		wq_wake_all(&pair->wq);
		unix_sock_put(pair);
	}

	/* Unread data and connections never accepted go (the embryos are
	 * released with their messages). */
	unix_purge_queue(u);
	unix_sock_put(u);
	if (unix_tot_inflight)
		unix_gc();
}

static void unix_release(struct socket *s)
{
	unix_release_sock(unix_sk(s), false);
}

static void init_peercred(struct unix_sock *u, struct task *t)
{
	u->has_peercred = true;
	u->peer_pid = t ? task_tgid(t) : 0;
	u->peer_uid = t && t->cred ? t->cred->euid : 0;
	u->peer_gid = t && t->cred ? t->cred->egid : 0;
}

int unix_create(struct task *t, int type, int protocol, struct socket **out)
{
	struct unix_sock *u;

	if (protocol && protocol != PF_UNIX)
		return -EPROTONOSUPPORT;
	switch (type) {
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		break;
	case SOCK_RAW:
		type = SOCK_DGRAM; /* BSD has it; Linux makes it a datagram socket */
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	u = unix_sock_alloc(t, type);
	*out = &u->sock;
	return 0;
}

static int unix_socketpair(struct socket *a, struct socket *b, struct task *t)
{
	struct unix_sock *ua = unix_sk(a), *ub = unix_sk(b);

	unix_sock_hold(ua);
	unix_sock_hold(ub);
	ua->peer = ub;
	ub->peer = ua;
	init_peercred(ua, t);
	init_peercred(ub, t);
	ua->state = UNIX_ESTABLISHED;
	ub->state = UNIX_ESTABLISHED;
	return 0;
}

/* ---- addresses ---- */

int unix_validate_addr(const struct sockaddr_storage *addr, int len)
{
	if (len <= UNIX_ADDR_MIN || len > (int)sizeof(struct sockaddr_un))
		return -EINVAL;
	if (addr->ss_family != AF_UNIX)
		return -EINVAL;
	return 0;
}

static struct unix_sock *find_abstract(const struct sockaddr_un *sun, int len, int type)
{
	struct unix_sock *u;

	list_for_each_entry(u, &unix_bound, bound_link)
		if (!u->path.dentry && u->sock.type == type && u->addrlen == len &&
		    memcmp(&u->addr, sun, (size_t)len) == 0)
			return u;
	return NULL;
}

static struct unix_sock *find_by_inode(const struct inode *ino)
{
	struct unix_sock *u;

	list_for_each_entry(u, &unix_bound, bound_link) {
		const struct inode *bi = path_inode(&u->path);

		if (bi && (bi == ino || (bi->sb == ino->sb && bi->ino == ino->ino)))
			return u;
	}
	return NULL;
}

/* A filesystem address as a C string: sun_path cut at addr_len
 * (unix_mkname_bsd). */
static void bsd_path(const struct sockaddr_storage *addr, int len, char *out)
{
	size_t n = (size_t)(len - UNIX_ADDR_MIN);

	memcpy(out, ((const struct sockaddr_un *)addr)->sun_path, n);
	out[n] = '\0';
}

int unix_find_other(struct task *t, const struct sockaddr_storage *addr, int len, int type,
		    struct unix_sock **out)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)addr;
	char path[sizeof(sun->sun_path) + 1];
	struct unix_sock *u;
	struct inode *ino;
	struct path p;
	int rc;

	if (!sun->sun_path[0]) {
		u = find_abstract(sun, len, type);
		if (!u)
			return -ECONNREFUSED;
		unix_sock_hold(u);
		*out = u;
		return 0;
	}
	bsd_path(addr, len, path);
	rc = vfs_lookup(t, AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (rc < 0)
		return rc;
	ino = path_inode(&p);
	rc = vfs_permission(t, ino, 2 /* MAY_WRITE */);
	if (rc == 0 && !S_ISSOCK(ino->mode))
		rc = -ECONNREFUSED;
	u = rc == 0 ? find_by_inode(ino) : NULL;
	if (rc == 0 && !u)
		rc = -ECONNREFUSED;
	path_put(&p);
	if (rc < 0)
		return rc;
	if (u->sock.type != type)
		return -EPROTOTYPE;
	unix_sock_hold(u);
	*out = u;
	return 0;
}

int unix_autobind(struct unix_sock *u)
{
	static uint32_t ordernum;
	static bool seeded;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int len = UNIX_ADDR_MIN + 6;
	uint32_t last;

	if (u->addrlen)
		return 0;
	if (!seeded) {
		if (getrandom(&ordernum, sizeof(ordernum), GRND_NONBLOCK) != sizeof(ordernum))
			ordernum = (uint32_t)now_mono_ns();
		seeded = true;
	}
	last = ordernum & 0xFFFFF;
	for (;;) {
		char name[8];

		ordernum = (ordernum + 1) & 0xFFFFF;
		snprintf(name, sizeof(name), "%05x", ordernum);
		memcpy(sun.sun_path + 1, name, 5);
		if (!find_abstract(&sun, len, u->sock.type))
			break;
		if (ordernum == last)
			return -ENOSPC;
	}
	u->addr = sun;
	u->addrlen = len;
	u->bound = true;
	list_add_tail(&u->bound_link, &unix_bound);
	return 0;
}

static int unix_bind_abstract(struct unix_sock *u, const struct sockaddr_storage *addr, int len)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)addr;

	if (u->addrlen)
		return -EINVAL;
	if (find_abstract(sun, len, u->sock.type))
		return -EADDRINUSE;
	memcpy(&u->addr, sun, (size_t)len);
	u->addrlen = len;
	u->bound = true;
	list_add_tail(&u->bound_link, &unix_bound);
	return 0;
}

/* The socket inode is made through the VFS, so a path address works on
 * any filesystem that supports mknod (EROFS on the read-only rootfs). */
static int unix_bind_bsd(struct unix_sock *u, struct task *t, const struct sockaddr_storage *addr,
			 int len)
{
	char path[sizeof(u->addr.sun_path) + 1];
	uint32_t mode = S_IFSOCK | (0777 & ~t->fs->umask);
	struct path p;
	int rc;

	bsd_path(addr, len, path);
	/* Linux creates the node before it sees the socket is bound and
	 * then removes it again; checking without creating gives the same
	 * errors in the same order. */
	rc = vfs_mknod(t, AT_FDCWD, path, mode, 0, u->addrlen ? NULL : &p);
	if (rc == -EEXIST)
		return -EADDRINUSE;
	if (rc < 0)
		return rc;
	if (u->addrlen)
		return -EINVAL;
	u->path = p;
	memset(&u->addr, 0, sizeof(u->addr));
	u->addr.sun_family = AF_UNIX;
	memcpy(u->addr.sun_path, path, strlen(path));
	u->addrlen = UNIX_ADDR_MIN + (int)strlen(path) + 1;
	u->bound = true;
	list_add_tail(&u->bound_link, &unix_bound);
	return 0;
}

static int unix_bind(struct socket *s, struct task *t, const struct sockaddr_storage *addr, int len)
{
	struct unix_sock *u = unix_sk(s);
	const struct sockaddr_un *sun = (const struct sockaddr_un *)addr;
	int rc;

	if (len == UNIX_ADDR_MIN && addr->ss_family == AF_UNIX)
		return unix_autobind(u);
	rc = unix_validate_addr(addr, len);
	if (rc < 0)
		return rc;
	if (sun->sun_path[0])
		return unix_bind_bsd(u, t, addr, len);
	return unix_bind_abstract(u, addr, len);
}

static int unix_getname(struct socket *s, struct sockaddr_storage *addr, bool peer)
{
	struct unix_sock *u = unix_sk(s);

	if (peer) {
		u = u->peer;
		if (!u)
			return -ENOTCONN;
	}
	memset(addr, 0, sizeof(*addr));
	if (!u->addrlen) {
		addr->ss_family = AF_UNIX;
		return UNIX_ADDR_MIN;
	}
	memcpy(addr, &u->addr, (size_t)u->addrlen);
	return u->addrlen;
}

/* ---- connections ---- */

bool unix_recvq_full(const struct unix_sock *u)
{
	return u->qlen > u->max_ack_backlog;
}

static int unix_listen(struct socket *s, struct task *t, int backlog)
{
	struct unix_sock *u = unix_sk(s);

	if (s->type != SOCK_STREAM && s->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (!u->addrlen)
		return -EINVAL; /* no listening on an unbound socket */
	if (u->state != UNIX_CLOSE && u->state != UNIX_LISTEN)
		return -EINVAL;
	if (backlog > u->max_ack_backlog)
		wq_wake_key(&u->wq, UNIX_WAKE_OUT); /* connectors waiting for room */
	u->max_ack_backlog = backlog;
	u->state = UNIX_LISTEN;
	/* What connecting clients see as SO_PEERCRED. */
	init_peercred(u, t);
	return 0;
}

static int unix_stream_connect(struct socket *s, struct task *t, const struct sockaddr_storage *addr,
			       int len, int fflags)
{
	struct unix_sock *u = unix_sk(s), *other, *newu;
	struct unix_skb *skb;
	int rc;

	rc = unix_validate_addr(addr, len);
	if (rc < 0)
		return rc;
	if (s->passcred && !u->addrlen && (rc = unix_autobind(u)) < 0)
		return rc;
	rc = unix_find_other(t, addr, len, s->type, &other);
	if (rc < 0)
		return rc;
	rc = -ECONNREFUSED;
	if (other->state != UNIX_LISTEN || (other->shutdown & RCV_SHUTDOWN))
		goto out;
	if (unix_recvq_full(other)) {
		/* The backlog is full: wait for an accept (checked before our
		 * own state, as Linux does). */
		rc = sock_wait_check(s, t, sock_sndtimeo(s, fflags & O_NONBLOCK));
		if (rc == 0) {
			task_wait_on(t, &other->wq);
			rc = -EBLOCKED;
		}
		goto out;
	}
	switch (u->state) {
	case UNIX_CLOSE:
		break;
	case UNIX_ESTABLISHED:
		rc = -EISCONN;
		goto out;
	default:
		rc = -EINVAL;
		goto out;
	}

	/* The server end, connected at once; accept() hands it out. */
	newu = unix_sock_alloc(t, s->type);
	newu->embryo = true;
	newu->state = UNIX_ESTABLISHED;
	unix_sock_hold(u);
	newu->peer = u;
	init_peercred(newu, t);
	newu->addr = other->addr;
	newu->addrlen = other->addrlen;

	u->has_peercred = other->has_peercred;
	u->peer_pid = other->peer_pid;
	u->peer_uid = other->peer_uid;
	u->peer_gid = other->peer_gid;
	u->state = UNIX_ESTABLISHED;
	unix_sock_hold(newu);
	u->peer = newu;

	skb = xzalloc(sizeof(*skb));
	skb->embryo = newu; /* the queue entry owns the handle */
	list_add_tail(&skb->link, &other->queue);
	other->qlen++;
	wq_wake_key(&other->wq, UNIX_WAKE_IN);
	rc = 0;
out:
	unix_sock_put(other);
	return rc;
}

void unix_dgram_disconnected(struct unix_sock *u, struct unix_sock *old_peer)
{
	if (list_empty(&u->queue))
		return;
	unix_purge_queue(u);
	wq_wake_all(&u->wq);
	/* A two-way datagram pipe broken on one side: the other side's
	 * messages were lost, so it gets an error. */
	if (!old_peer->dead && old_peer->peer == u) {
		old_peer->sock.err = ECONNRESET;
		wq_wake_all(&old_peer->wq);
	}
}

static bool unix_may_send(const struct unix_sock *u, const struct unix_sock *other)
{
	return !other->peer || other->peer == u;
}

static int unix_dgram_connect(struct socket *s, struct task *t, const struct sockaddr_storage *addr,
			      int len, int fflags)
{
	struct unix_sock *u = unix_sk(s), *other = NULL, *old;
	int rc;

	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (addr->ss_family != AF_UNSPEC) {
		rc = unix_validate_addr(addr, len);
		if (rc < 0)
			return rc;
		if (s->passcred && !u->addrlen && (rc = unix_autobind(u)) < 0)
			return rc;
		rc = unix_find_other(t, addr, len, s->type, &other);
		if (rc < 0)
			return rc;
		if (!unix_may_send(u, other)) {
			unix_sock_put(other);
			return -EPERM;
		}
		u->state = UNIX_ESTABLISHED;
		other->state = UNIX_ESTABLISHED;
	}
	old = u->peer;
	u->peer = other; /* takes the lookup's reference */
	if (!old)
		return 0;
	if (!other)
		u->state = UNIX_CLOSE;
	/* Pollers of u may be waiting for room in the old peer's queue. */
	if (u->peer_wake_other == old)
		unix_dgram_peer_wake_disconnect_wakeup(u);
	if (other != old) {
		unix_dgram_disconnected(u, old);
		if (!old->peer)
			old->state = UNIX_CLOSE;
	}
	unix_sock_put(old);
	return 0;
}

static int unix_accept(struct socket *s, struct task *t, int fflags, struct socket **out)
{
	struct unix_sock *u = unix_sk(s), *newu;
	struct unix_skb *skb;
	int64_t timeo;
	int rc;

	if (s->type != SOCK_STREAM && s->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (u->state != UNIX_LISTEN)
		return -EINVAL;
	if (list_empty(&u->queue)) {
		/* skb_recv_datagram(): EAGAIN before anything else when not
		 * waiting; then a pending error; a shut-down listener gives
		 * no connection (EINVAL). */
		timeo = sock_rcvtimeo(s, fflags & O_NONBLOCK);
		if (timeo == 0 || t->sys.timed_out)
			return -EAGAIN;
		if ((rc = sock_error(s)) < 0)
			return rc;
		if (u->shutdown & RCV_SHUTDOWN)
			return -EINVAL;
		rc = sock_wait_check(s, t, timeo);
		if (rc < 0)
			return rc;
		task_wait_on(t, &u->wq);
		return -EBLOCKED;
	}
	skb = list_first_entry(&u->queue, struct unix_skb, link);
	list_del(&skb->link);
	u->qlen--;
	newu = steal_pointer(&skb->embryo);
	unix_skb_free(skb);
	/* Room in the backlog for a waiting connect. */
	wq_wake_key(&u->wq, UNIX_WAKE_OUT);

	newu->embryo = false;
	newu->sock.passcred = s->passcred;
	if (t->cred) {
		newu->sock.uid = t->cred->fsuid;
		newu->sock.gid = t->cred->fsgid;
	}
	*out = &newu->sock;
	return 0;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = unix_sk(s), *other = u->peer;
	int mode, peer_mode = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mode = how + 1; /* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN */
	u->shutdown |= mode;
	wq_wake_all(&u->wq);
	if (other && s->type != SOCK_DGRAM) {
		if (mode & RCV_SHUTDOWN)
			peer_mode |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			peer_mode |= RCV_SHUTDOWN;
		other->shutdown |= peer_mode;
		wq_wake_all(&other->wq);
	}
	return 0;
}

/* ---- poll and ioctl ---- */

static int unix_peer_wake_relay(struct wq_entry *e, unsigned int key)
{
	struct unix_sock *u = container_of(e, struct unix_sock, peer_wake);

	/* Data arriving at the peer makes no room. */
	if (key && !(key & UNIX_WAKE_OUT))
		return 0;
	list_del(&e->link);
	list_init(&e->link);
	u->peer_wake_other = NULL;
	wq_wake_key(&u->wq, UNIX_WAKE_OUT);
	return 0;
}

static void unix_dgram_peer_wake_connect(struct unix_sock *u, struct unix_sock *other)
{
	if (u->peer_wake_other == other)
		return;
	unix_dgram_peer_wake_disconnect(u);
	u->peer_wake.task = NULL;
	u->peer_wake.fn = unix_peer_wake_relay;
	u->peer_wake.flags = 0;
	wq_add_entry(&other->wq, &u->peer_wake);
	u->peer_wake_other = other;
}

void unix_dgram_peer_wake_disconnect(struct unix_sock *u)
{
	if (!u->peer_wake_other)
		return;
	list_del(&u->peer_wake.link);
	list_init(&u->peer_wake.link);
	u->peer_wake_other = NULL;
}

void unix_dgram_peer_wake_disconnect_wakeup(struct unix_sock *u)
{
	if (!u->peer_wake_other)
		return;
	unix_dgram_peer_wake_disconnect(u);
	wq_wake_key(&u->wq, UNIX_WAKE_OUT);
}

static bool unix_writable(const struct unix_sock *u)
{
	return u->state != UNIX_LISTEN && (u->wmem << 2) <= (size_t)u->sock.sndbuf;
}

static unsigned int unix_poll_common(struct unix_sock *u)
{
	unsigned int mask = 0;

	if (u->sock.err)
		mask |= POLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (u->qlen)
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

static unsigned int unix_stream_poll(struct socket *s, struct task *t, unsigned int events)
{
	struct unix_sock *u = unix_sk(s);
	unsigned int mask = unix_poll_common(u);

	if (u->state == UNIX_CLOSE)
		mask |= POLLHUP;
	/* Writable also once the other end is gone, so nothing hangs. */
	if (unix_writable(u))
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	if (t && !(mask & (events | POLLHUP | POLLERR)))
		task_wait_on(t, &u->wq);
	return mask;
}

static unsigned int unix_dgram_poll(struct socket *s, struct task *t, unsigned int events)
{
	struct unix_sock *u = unix_sk(s), *other = u->peer;
	unsigned int mask = unix_poll_common(u);

	if (s->type == SOCK_SEQPACKET && u->state == UNIX_CLOSE)
		mask |= POLLHUP;
	if (events & (POLLOUT | POLLWRNORM | POLLWRBAND)) {
		bool writable = unix_writable(u);

		/* Sending to a peer that is not connected back waits for
		 * room in its queue; its wake is relayed to ours. */
		if (writable && other && other->peer != u && unix_recvq_full(other)) {
			writable = false;
			if (t)
				unix_dgram_peer_wake_connect(u, other);
		}
		if (writable)
			mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	}
	if (t && !(mask & (events | POLLHUP | POLLERR)))
		task_wait_on(t, &u->wq);
	return mask;
}

static long unix_ioctl(struct socket *s, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct unix_sock *u = unix_sk(s);
	long amount;
	int v;

	switch (cmd) {
	case SIOCOUTQ:
		v = (int)u->wmem;
		return copy_to_user(t, arg, &v, sizeof(v));
	case SIOCINQ:
		amount = unix_inq_len(u);
		if (amount < 0)
			return amount;
		v = (int)amount;
		return copy_to_user(t, arg, &v, sizeof(v));
	default: {
		char key[40];

		snprintf(key, sizeof(key), "unix-ioctl-%#x", cmd);
		log_once(key, "ioctl %#x on an AF_UNIX socket is not supported: ENOTTY", cmd);
		return -ENOTTY;
	}
	}
}

/* ---- options ---- */

static int unix_getsockopt(struct socket *s, struct task *t, int level, int name, void *val, int *len)
{
	struct unix_sock *u = unix_sk(s);
	struct ucred uc = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	int n, v;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP; /* AF_UNIX has no options of its own level */
	switch (name) {
	case SO_PEERCRED:
		if (u->has_peercred) {
			uc.pid = u->peer_pid;
			uc.uid = u->peer_uid;
			uc.gid = u->peer_gid;
		}
		n = MIN(*len, (int)sizeof(uc));
		memcpy(val, &uc, (size_t)n);
		*len = n;
		return 0;
	case SO_ACCEPTCONN:
		v = u->state == UNIX_LISTEN;
		n = MIN(*len, (int)sizeof(v));
		memcpy(val, &v, (size_t)n);
		*len = n;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int unix_setsockopt(struct socket *s, struct task *t, int level, int name, const void *val,
			   int len)
{
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	return -ENOPROTOOPT;
}

static void unix_write_space(struct socket *s)
{
	wq_wake_key(&unix_sk(s)->wq, UNIX_WAKE_OUT);
}

static const struct socket_ops unix_stream_ops = {
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.getname = unix_getname,
	.sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg,
	.shutdown = unix_shutdown,
	.poll = unix_stream_poll,
	.ioctl = unix_ioctl,
	.getsockopt = unix_getsockopt,
	.setsockopt = unix_setsockopt,
	.socketpair = unix_socketpair,
	.write_space = unix_write_space,
	.release = unix_release,
};

static const struct socket_ops unix_dgram_ops = {
	.bind = unix_bind,
	.connect = unix_dgram_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.getname = unix_getname,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
	.shutdown = unix_shutdown,
	.poll = unix_dgram_poll,
	.ioctl = unix_ioctl,
	.getsockopt = unix_getsockopt,
	.setsockopt = unix_setsockopt,
	.socketpair = unix_socketpair,
	.write_space = unix_write_space,
	.release = unix_release,
};

static const struct socket_ops unix_seqpacket_ops = {
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.getname = unix_getname,
	.sendmsg = unix_seqpacket_sendmsg,
	.recvmsg = unix_seqpacket_recvmsg,
	.shutdown = unix_shutdown,
	.poll = unix_dgram_poll,
	.ioctl = unix_ioctl,
	.getsockopt = unix_getsockopt,
	.setsockopt = unix_setsockopt,
	.socketpair = unix_socketpair,
	.write_space = unix_write_space,
	.release = unix_release,
};
