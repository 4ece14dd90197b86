/* AF_UNIX data transfer: stream, datagram and seqpacket send and receive
 * with ancillary data (unix_stream_sendmsg, unix_stream_read_generic,
 * unix_dgram_sendmsg, unix_dgram_recvmsg in Linux).
 *
 * Messages are charged to their sender in Linux's skb truesize units
 * (the data rounded up to the slab size it would occupy, plus the
 * sk_buff and skb_shared_info overheads, plus page fragments), so the
 * number of messages or bytes a socket takes before EAGAIN, SIOCOUTQ and
 * POLLOUT come out as on Linux. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/unix_internal.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/vfs.h"

#define PAGE_SZ 4096
#define SKB_SHINFO_SIZE 320   /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define SKB_STRUCT_SIZE 256   /* SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
#define SKB_MAX_HEAD0 (PAGE_SZ - SKB_SHINFO_SIZE)         /* SKB_MAX_HEAD(0) */
#define SKB_MAX_ALLOC ((PAGE_SZ << 2) - SKB_SHINFO_SIZE)  /* SKB_MAX_ORDER(0, 2) */
#define UNIX_SKB_FRAGS_SZ (PAGE_SZ << 3)                  /* 32 KiB */
#define MAX_SKB_FRAGS 17

/* kmalloc_size_roundup(): the slab size classes, then whole page orders. */
static size_t kmalloc_size(size_t n)
{
	static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };
	size_t p = PAGE_SZ;

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (n <= classes[i])
			return classes[i];
	while (p < n)
		p <<= 1;
	return p;
}

static size_t skb_truesize(size_t linear, size_t paged)
{
	return kmalloc_size(ALIGN_UP(linear, 64) + SKB_SHINFO_SIZE) + SKB_STRUCT_SIZE + paged;
}

struct unix_sock *unix_sock_of_file(struct file *f)
{
	struct socket *s = socket_from_file(f);

	return s && s->family == AF_UNIX ? unix_sk(s) : NULL;
}

/* A message from u of len bytes, paged bytes of it in fragments. */
static struct unix_skb *skb_alloc(struct unix_sock *u, size_t len, size_t paged)
{
	struct unix_skb *skb = xzalloc(sizeof(*skb));

	skb->data = xmalloc(MAX(len, 1));
	skb->len = len;
	skb->truesize = skb_truesize(len - paged, paged);
	skb->sender = u;
	unix_sock_hold(u);
	u->wmem += skb->truesize;
	return skb;
}

void unix_skb_free(struct unix_skb *skb)
{
	struct unix_sock *sender = skb->sender;

	if (skb->embryo)
		unix_release_sock(steal_pointer(&skb->embryo), true);
	if (skb->scm.nfp) {
		unix_inflight(&skb->scm, -1);
		scm_destroy(&skb->scm);
	}
	if (sender) {
		sender->wmem -= skb->truesize;
		wq_wake_key(&sender->wq, UNIX_WAKE_OUT);
		unix_sock_put(sender);
	}
	free(skb->data);
	free(skb);
}

static void skb_unlink(struct unix_sock *u, struct unix_skb *skb)
{
	list_del(&skb->link);
	u->qlen--;
	/* Room in the queue for datagram senders (and relays to pollers). */
	wq_wake_key(&u->wq, UNIX_WAKE_OUT);
}

void unix_purge_queue(struct unix_sock *u)
{
	struct list_head q;
	struct unix_skb *skb, *n;

	list_init(&q);
	list_splice_init(&u->queue, &q);
	u->qlen = 0;
	list_for_each_entry_safe(skb, n, &q, link) {
		list_del(&skb->link);
		unix_skb_free(skb);
	}
}

static void skb_queue_tail(struct unix_sock *other, struct unix_skb *skb)
{
	if (skb->scm.nfp)
		unix_inflight(&skb->scm, 1);
	list_add_tail(&skb->link, &other->queue);
	other->qlen++;
	wq_wake_key(&other->wq, UNIX_WAKE_IN);
}

long unix_inq_len(struct unix_sock *u)
{
	struct unix_skb *skb;
	long amount = 0;

	if (u->state == UNIX_LISTEN)
		return -EINVAL;
	if (u->sock.type == SOCK_DGRAM) {
		if (!list_empty(&u->queue))
			amount = (long)list_first_entry(&u->queue, struct unix_skb, link)->len;
		return amount;
	}
	list_for_each_entry(skb, &u->queue, link)
		amount += (long)(skb->len - skb->consumed);
	return amount;
}

/* ---- ancillary data ---- */

/* The sender's credentials go with a message when it asked for them, or
 * either end has SO_PASSCRED, or the receiver is not accepted yet and so
 * may still turn it on (maybe_add_creds). */
static void maybe_add_creds(struct unix_skb *skb, struct unix_sock *u, struct unix_sock *other,
			    struct task *t)
{
	if (skb->scm.has_creds)
		return;
	if (u->sock.passcred || other->sock.passcred || other->embryo) {
		skb->scm.has_creds = true;
		skb->scm.pid = task_tgid(t);
		skb->scm.uid = t->cred ? t->cred->uid : 0;
		skb->scm.gid = t->cred ? t->cred->gid : 0;
	}
}

/* unix_scm_to_skb(): explicit credentials go with every message of the
 * call, passed files with the first only. */
static void scm_to_skb(struct sock_msg *m, struct unix_skb *skb, bool send_fds)
{
	skb->scm.has_creds = m->scm.has_creds;
	skb->scm.pid = m->scm.pid;
	skb->scm.uid = m->scm.uid;
	skb->scm.gid = m->scm.gid;
	if (send_fds && m->scm.nfp) {
		skb->scm.fp = steal_pointer(&m->scm.fp);
		skb->scm.nfp = m->scm.nfp;
		m->scm.nfp = 0;
	}
}

static void creds_to_msg(struct sock_msg *m, const struct unix_skb *skb)
{
	m->scm.has_creds = skb->scm.has_creds;
	m->scm.pid = skb->scm.pid;
	m->scm.uid = skb->scm.uid;
	m->scm.gid = skb->scm.gid;
}

/* Received files move to the receiver; a peek gets new references. */
static void fds_to_msg(struct sock_msg *m, struct unix_skb *skb, bool peek)
{
	if (!skb->scm.nfp)
		return;
	if (peek) {
		m->scm.fp = xmalloc((size_t)skb->scm.nfp * sizeof(*m->scm.fp));
		for (int i = 0; i < skb->scm.nfp; i++)
			m->scm.fp[i] = file_get(skb->scm.fp[i]);
		m->scm.nfp = skb->scm.nfp;
		return;
	}
	unix_inflight(&skb->scm, -1);
	m->scm.fp = steal_pointer(&skb->scm.fp);
	m->scm.nfp = skb->scm.nfp;
	skb->scm.nfp = 0;
}

/* The source address a receiver sees: the sender's, if it has one. */
static void addr_to_msg(struct sock_msg *m, const struct unix_skb *skb)
{
	const struct unix_sock *from = skb->sender;

	m->namelen = 0;
	if (from && from->addrlen) {
		memcpy(&m->name, &from->addr, (size_t)from->addrlen);
		m->namelen = from->addrlen;
	}
}

static long oob_unsupported(void)
{
	log_once("unix-msg-oob", "MSG_OOB on AF_UNIX sockets is not supported: EOPNOTSUPP");
	return -EOPNOTSUPP;
}

/* ---- stream ---- */

long unix_stream_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done)
{
	struct unix_sock *u = unix_sk(s), *other;
	size_t sent = *done, total = m->it.count;
	long err;

	if (m->flags & MSG_OOB)
		return oob_unsupported();
	if (m->namelen)
		return u->state == UNIX_ESTABLISHED ? -EISCONN : -EOPNOTSUPP;
	other = u->peer;
	if (!other)
		return -ENOTCONN;
	if (t->sys.restarted) {
		/* Woken from waiting for room: Linux is still in its buffer
		 * allocation, which reports a pending error (ECONNRESET from
		 * a peer that closed with data unread) and then a shutdown,
		 * without SIGPIPE. */
		err = sock_error(s);
		if (err)
			return sent ? (long)sent : err;
		if (u->shutdown & SEND_SHUTDOWN)
			return sent ? (long)sent : -EPIPE;
	} else if (u->shutdown & SEND_SHUTDOWN) {
		goto pipe_err;
	}
	while (sent < total) {
		size_t size = MIN(total - sent, (size_t)((s->sndbuf >> 1) - 64));
		size_t paged;
		struct unix_skb *skb;

		size = MIN(size, (size_t)(SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ));
		paged = size > SKB_MAX_HEAD0 ? ALIGN_UP(size - SKB_MAX_HEAD0, PAGE_SZ) : 0;
		paged = MIN(paged, size);

		/* sock_alloc_send_pskb(): wait while the send buffer is full. */
		err = sock_error(s);
		if (err)
			return sent ? (long)sent : err;
		if (u->wmem >= (size_t)s->sndbuf) {
			err = sock_wait_check(s, t, sock_sndtimeo(s, m->flags & MSG_DONTWAIT));
			if (err)
				return sent ? (long)sent : err;
			task_wait_on(t, &u->wq);
			*done = sent;
			return -EBLOCKED;
		}
		skb = skb_alloc(u, size, paged);
		if (sock_iter_copy_from(&m->it, sent, skb->data, size) < 0) {
			unix_skb_free(skb);
			return sent ? (long)sent : -EFAULT;
		}
		scm_to_skb(m, skb, sent == 0);
		if (other->dead || (other->shutdown & RCV_SHUTDOWN)) {
			unix_skb_free(skb);
			goto pipe_err;
		}
		maybe_add_creds(skb, u, other, t);
		skb_queue_tail(other, skb);
		sent += size;
	}
	return (long)sent;

pipe_err:
	if (!sent && !(m->flags & MSG_NOSIGNAL))
		signal_send_thread(t, SIGPIPE, NULL);
	return sent ? (long)sent : -EPIPE;
}

static bool skb_creds_eq(const struct unix_skb *skb, const struct sock_msg *m)
{
	return skb->scm.has_creds == m->scm.has_creds && skb->scm.pid == m->scm.pid &&
	       skb->scm.uid == m->scm.uid && skb->scm.gid == m->scm.gid;
}

long unix_stream_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done)
{
	struct unix_sock *u = unix_sk(s);
	size_t size = m->it.count, copied = *done;
	size_t target = (m->flags & MSG_WAITALL) ? size : MIN((size_t)s->rcvlowat, size);
	bool peek = m->flags & MSG_PEEK, check_creds = false, addr_done = false;
	size_t skip = peek ? copied : 0;
	struct unix_skb *skb;
	long err;

	if (u->state != UNIX_ESTABLISHED)
		return -EINVAL;
	if (m->flags & MSG_OOB)
		return oob_unsupported();
	if (target == 0)
		target = 1;

	skb = list_empty(&u->queue) ? NULL : list_first_entry(&u->queue, struct unix_skb, link);
	/* A peek that waited goes on after what it already copied. */
	while (skb && skip >= skb->len - skb->consumed) {
		skip -= skb->len - skb->consumed;
		skb = skb->link.next == &u->queue ? NULL : list_entry(skb->link.next, struct unix_skb, link);
	}
	while (copied < size) {
		size_t avail, chunk;

		if (!skb) {
			if (copied >= target)
				break;
			err = sock_error(s);
			if (err)
				return copied ? (long)copied : err;
			if (u->shutdown & RCV_SHUTDOWN)
				break;
			err = sock_wait_check(s, t, sock_rcvtimeo(s, m->flags & MSG_DONTWAIT));
			if (err)
				return copied ? (long)copied : err;
			task_wait_on(t, &u->wq);
			*done = copied;
			return -EBLOCKED;
		}
		/* Never glue together data from different writers. */
		if (check_creds) {
			if (!skb_creds_eq(skb, m))
				break;
		} else if (s->passcred) {
			creds_to_msg(m, skb);
			check_creds = true;
		}
		if (!addr_done) {
			addr_to_msg(m, skb);
			addr_done = true;
		}
		avail = skb->len - skb->consumed - skip;
		chunk = MIN(avail, size - copied);
		if (sock_iter_copy_to(&m->it, copied, skb->data + skb->consumed + skip, chunk) < 0)
			return copied ? (long)copied : -EFAULT;
		copied += chunk;
		if (!peek) {
			struct unix_skb *next;

			skb->consumed += chunk;
			fds_to_msg(m, skb, false);
			if (skb->consumed < skb->len)
				break;
			next = skb->link.next == &u->queue ? NULL :
			       list_entry(skb->link.next, struct unix_skb, link);
			skb_unlink(u, skb);
			unix_skb_free(skb);
			if (m->scm.nfp)
				break;
			skb = next;
		} else {
			/* A peek copies files too (and stops there). */
			if (skb->scm.nfp) {
				fds_to_msg(m, skb, true);
				break;
			}
			skip = 0;
			skb = skb->link.next == &u->queue ? NULL :
			      list_entry(skb->link.next, struct unix_skb, link);
			if (!skb)
				break;
		}
	}
	return (long)copied;
}

/* ---- datagram and seqpacket ---- */

long unix_dgram_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done)
{
	struct unix_sock *u = unix_sk(s), *other = NULL;
	size_t len = m->it.count, paged = 0;
	struct unix_skb *skb = NULL;
	long err;

	if (m->flags & MSG_OOB)
		return oob_unsupported();
	if (m->namelen) {
		err = unix_validate_addr(&m->name, m->namelen);
		if (err < 0)
			return err;
	} else {
		other = u->peer;
		if (!other)
			return -ENOTCONN;
		unix_sock_hold(other);
	}
	if (s->passcred && !u->addrlen && (err = unix_autobind(u)) < 0)
		goto out;
	err = -EMSGSIZE;
	if (len > (size_t)s->sndbuf - 32)
		goto out;

	/* sock_alloc_send_pskb() */
	err = sock_error(s);
	if (err)
		goto out;
	err = -EPIPE;
	if (u->shutdown & SEND_SHUTDOWN)
		goto out;
	if (u->wmem >= (size_t)s->sndbuf) {
		err = sock_wait_check(s, t, sock_sndtimeo(s, m->flags & MSG_DONTWAIT));
		if (err == 0) {
			task_wait_on(t, &u->wq);
			err = -EBLOCKED;
		}
		goto out;
	}
	if (len > SKB_MAX_ALLOC)
		paged = ALIGN_UP(MIN(len - SKB_MAX_ALLOC, (size_t)MAX_SKB_FRAGS * PAGE_SZ), PAGE_SZ);
	skb = skb_alloc(u, len, paged);
	err = -EFAULT;
	if (sock_iter_copy_from(&m->it, 0, skb->data, len) < 0)
		goto out;
	scm_to_skb(m, skb, true);

restart:
	if (!other) {
		err = -ECONNRESET;
		if (!m->namelen)
			goto out;
		err = unix_find_other(t, &m->name, m->namelen, s->type, &other);
		if (err < 0) {
			other = NULL;
			goto out;
		}
	}
	err = -EPERM;
	if (other->peer && other->peer != u)
		goto out;
	if (other->dead) {
		err = 0;
		if (s->type == SOCK_SEQPACKET) {
			err = -EPIPE;
		} else if (u->peer == other) {
			/* The peer is gone: disconnect, and say so once. */
			u->peer = NULL;
			u->state = UNIX_CLOSE;
			unix_dgram_peer_wake_disconnect_wakeup(u);
			unix_dgram_disconnected(u, other);
			unix_sock_put(other); /* the peer reference */
			err = -ECONNREFUSED;
		}
		unix_sock_put(other);
		other = NULL;
		if (err)
			goto out;
		goto restart;
	}
	err = -EPIPE;
	if (other->shutdown & RCV_SHUTDOWN)
		goto out;
	if (other != u && other->peer != u && unix_recvq_full(other)) {
		err = sock_wait_check(s, t, sock_sndtimeo(s, m->flags & MSG_DONTWAIT));
		if (err == 0) {
			task_wait_on(t, &other->wq);
			err = -EBLOCKED;
		}
		goto out;
	}
	maybe_add_creds(skb, u, other, t);
	skb_queue_tail(other, steal_pointer(&skb));
	err = (long)len;
out:
	if (skb)
		unix_skb_free(skb);
	unix_sock_put(other);
	return err;
}

long unix_dgram_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done)
{
	struct unix_sock *u = unix_sk(s);
	bool peek = m->flags & MSG_PEEK;
	struct unix_skb *skb;
	size_t size = m->it.count;
	int64_t timeo;
	long err;

	if (m->flags & MSG_OOB)
		return oob_unsupported();
	/* __skb_try_recv_datagram(): a pending error comes first. */
	err = sock_error(s);
	if (err)
		return err;
	if (list_empty(&u->queue)) {
		timeo = sock_rcvtimeo(s, m->flags & MSG_DONTWAIT);
		if (timeo == 0 || t->sys.timed_out) {
			/* EOF on a disconnected non-blocking seqpacket socket. */
			if (s->type == SOCK_SEQPACKET && (u->shutdown & RCV_SHUTDOWN))
				return 0;
			return -EAGAIN;
		}
		if (u->shutdown & RCV_SHUTDOWN)
			return 0;
		if (s->type == SOCK_SEQPACKET && u->state != UNIX_ESTABLISHED && u->state != UNIX_LISTEN)
			return -ENOTCONN;
		err = sock_wait_check(s, t, timeo);
		if (err)
			return err;
		task_wait_on(t, &u->wq);
		return -EBLOCKED;
	}
	skb = list_first_entry(&u->queue, struct unix_skb, link);
	if (!peek)
		skb_unlink(u, skb);
	addr_to_msg(m, skb);
	if (size > skb->len)
		size = skb->len;
	else if (size < skb->len)
		m->msg_flags |= MSG_TRUNC;
	if (sock_iter_copy_to(&m->it, 0, skb->data, size) < 0) {
		err = -EFAULT; /* the datagram is lost, as in Linux */
		goto out;
	}
	creds_to_msg(m, skb);
	fds_to_msg(m, skb, peek);
	err = (m->flags & MSG_TRUNC) ? (long)skb->len : (long)size;
out:
	if (!peek)
		unix_skb_free(skb);
	return err;
}

long unix_seqpacket_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done)
{
	long err = sock_error(s);

	if (err)
		return err;
	if (unix_sk(s)->state != UNIX_ESTABLISHED)
		return -ENOTCONN;
	m->namelen = 0;
	return unix_dgram_sendmsg(s, t, m, done);
}

long unix_seqpacket_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done)
{
	if (unix_sk(s)->state != UNIX_ESTABLISHED)
		return -ENOTCONN;
	return unix_dgram_recvmsg(s, t, m, done);
}
