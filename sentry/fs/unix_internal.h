/* AF_UNIX internals shared by unix_socket.c (addresses, connections,
 * options, poll), unix_msg.c (sending and receiving) and unix_gc.c (the
 * collector of sockets that only in-flight messages keep alive).
 *
 * The model is Linux's. Every socket has a receive queue of messages
 * (struct unix_skb). A message is charged to its sender's write memory
 * (wmem, in Linux's skb truesize units) until the receiver consumes or
 * drops it: a sender blocks while its wmem reaches SO_SNDBUF, which is
 * what bounds a stream connection (about 208 KiB by default) and a
 * datagram socketpair. A listening socket's queue holds the connections
 * not yet accepted: each entry carries the server end (the "embryo"),
 * already connected to the client.
 *
 * One wait queue per socket covers everything that can change for it:
 * data or a connection arriving, room in its queue, its write memory
 * shrinking, shutdown and close. Tasks re-run their syscall when woken
 * and re-check.
 *
 * Lifetime: refcount counts the handle (the file, or the accept queue
 * entry of an embryo), the peer pointer of the other end, and each
 * message it sent that is still queued somewhere. unix_release() tears
 * the socket down when its handle goes; the memory goes with the last
 * reference. */
#ifndef SENTRY_FS_UNIX_INTERNAL_H
#define SENTRY_FS_UNIX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <poll.h>
#include <stdint.h>
#include <sys/un.h>

#include "sentry/fs/socket.h"
#include "sentry/kernel.h"
#include "sentry/list.h"
#include "sentry/vfs.h"

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

#define UNIX_MAX_DGRAM_QLEN 10 /* net.unix.max_dgram_qlen */

/* Wake keys, so that an edge-triggered epoll item hears only its kind of
 * change (Linux's sk_data_ready and sk_write_space); state changes
 * (shutdown, close, errors) wake with 0, meaning anything. */
#define UNIX_WAKE_IN (POLLIN | POLLRDNORM)
#define UNIX_WAKE_OUT (POLLOUT | POLLWRNORM | POLLWRBAND)
#define UNIX_ADDR_MIN ((int)offsetof(struct sockaddr_un, sun_path))

enum unix_state {
	UNIX_CLOSE,       /* TCP_CLOSE: unconnected */
	UNIX_LISTEN,
	UNIX_ESTABLISHED,
};

struct unix_sock;

struct unix_skb {
	struct list_head link;
	struct unix_sock *sender;   /* reference; its wmem pays truesize */
	size_t truesize;
	size_t len;                 /* data bytes */
	size_t consumed;            /* stream: bytes already read */
	char *data;
	struct scm_cookie scm;      /* passed files and the sender's credentials */
	struct unix_sock *embryo;   /* listener queue: the connection (its handle) */
};

struct unix_sock {
	struct socket sock;         /* first: struct socket * casts to it */
	int refcount;
	enum unix_state state;
	int shutdown;               /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	bool dead;                  /* released (SOCK_DEAD) */
	bool embryo;                /* not accepted yet (no struct socket user) */
	struct unix_sock *peer;     /* reference */
	struct list_head queue;     /* of unix_skb */
	int qlen;
	size_t wmem;                /* truesize of its queued messages */
	int max_ack_backlog;        /* listen backlog; max_dgram_qlen otherwise */
	struct waitqueue wq;

	/* Its address (accepted sockets copy the listener's); addrlen 0:
	 * unbound. bound: it owns the name (bind or autobind). */
	struct sockaddr_un addr;
	int addrlen;
	bool bound;
	struct list_head bound_link;
	struct path path;           /* filesystem address: the socket inode */

	/* SO_PEERCRED */
	bool has_peercred;
	pid_t peer_pid;
	uid_t peer_uid;
	gid_t peer_gid;

	/* Garbage collection (unix_gc.c) */
	struct list_head all_link;
	int inflight;               /* its file's references in queued messages */
	int gc_refs;
	bool gc_candidate, gc_alive;

	/* A datagram socket whose peer's queue is full is writable again
	 * when that queue drains. Pollers (tasks and epoll items alike) only
	 * ever wait on the socket's own queue: this callback entry sits on
	 * the peer's queue and relays its wake (Linux's peer_wake). */
	struct wq_entry peer_wake;
	struct unix_sock *peer_wake_other; /* whose queue it is on, or NULL */
};

static inline struct unix_sock *unix_sk(struct socket *s)
{
	return (struct unix_sock *)s;
}

/* Moves every entry of from onto the empty list to. */
static inline void list_splice_init(struct list_head *from, struct list_head *to)
{
	if (list_empty(from))
		return;
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	list_init(from);
}

/* unix_socket.c */
extern struct list_head unix_all_socks;
void unix_sock_hold(struct unix_sock *u);
void unix_sock_put(struct unix_sock *u);
/* The handle is gone: disconnect, drop the queue, unbind, then put. */
void unix_release_sock(struct unix_sock *u, bool embryo);
/* Binds an unbound socket to a fresh abstract name (autobind). */
int unix_autobind(struct unix_sock *u);
/* The socket a destination address names, with a reference, or the
 * error (ECONNREFUSED, ENOENT, EACCES, EPROTOTYPE...). */
int unix_find_other(struct task *t, const struct sockaddr_storage *addr, int len, int type,
		    struct unix_sock **out);
int unix_validate_addr(const struct sockaddr_storage *addr, int len);
/* Datagram: u connected to other is not other's own peer and other's
 * queue is full, so u must wait (unix_dgram_peer_wake_me). */
bool unix_recvq_full(const struct unix_sock *u);
/* Drops u's queue after losing its datagram peer (unix_dgram_disconnected). */
void unix_dgram_disconnected(struct unix_sock *u, struct unix_sock *old_peer);
/* Takes u's relay off its peer's queue (peer gone or changed); the
 * _wakeup form also wakes u's pollers, whose answer changes. */
void unix_dgram_peer_wake_disconnect(struct unix_sock *u);
void unix_dgram_peer_wake_disconnect_wakeup(struct unix_sock *u);

/* unix_msg.c */
long unix_stream_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done);
long unix_stream_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done);
long unix_dgram_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done);
long unix_dgram_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done);
long unix_seqpacket_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done);
long unix_seqpacket_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t *done);
/* Frees a message: its files, and its charge to the sender (waking it). */
void unix_skb_free(struct unix_skb *skb);
/* Empties u's queue (detached first, so releases it causes are safe). */
void unix_purge_queue(struct unix_sock *u);
/* Bytes readable now (SIOCINQ) and the sender's charge (SIOCOUTQ). */
long unix_inq_len(struct unix_sock *u);
/* A file passed in a message, as a unix socket (for in-flight counts). */
struct unix_sock *unix_sock_of_file(struct file *f);

/* unix_gc.c */
extern int unix_tot_inflight;
void unix_inflight(struct scm_cookie *scm, int delta);
void unix_gc(void);

#endif
