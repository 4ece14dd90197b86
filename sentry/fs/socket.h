/* Sockets: the layer between the socket syscalls (syscalls/sys_socket.c)
 * and the address families, in the shape of Linux's struct socket and
 * proto_ops. A socket is an anonymous file (S_IFSOCK, like sockfs) whose
 * priv is a struct socket; the family embeds struct socket in its own
 * state and supplies socket_ops. Options of level SOL_SOCKET that every
 * family shares (buffer sizes, timeouts, SO_PASSCRED...) live here and are
 * handled by socket.c; the family answers the rest.
 *
 * Only AF_UNIX exists (sentry/fs/unix_*.c): there is no network stack, and
 * socket(2) of any other family fails with EAFNOSUPPORT.
 *
 * Blocking follows the kernel's rule (sentry/kernel.h): an operation that
 * must wait queues the task and returns -EBLOCKED, and the syscall runs
 * again from scratch when woken. Operations that make partial progress
 * (a stream send or a MSG_WAITALL receive) are told how much earlier runs
 * did and return the new total. */
#ifndef SENTRY_FS_SOCKET_H
#define SENTRY_FS_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

struct file;
struct task;

/* Linux's sysctl defaults: net.core.{w,r}mem_{default,max}. */
#define SOCK_WMEM_DEFAULT 212992
#define SOCK_WMEM_MAX 212992
#define SOCK_RMEM_DEFAULT 212992
#define SOCK_RMEM_MAX 212992
/* SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF on x86_64 (2 * and 1 * (2048 + the
 * cache-aligned struct sk_buff)). */
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304
#define SOMAXCONN_DEFAULT 4096 /* net.core.somaxconn */
#define SCM_MAX_FD 253

/* The data of one send or receive: user memory of task t described by
 * iov (user addresses), or a sentry buffer (sendfile and friends). */
struct sock_iter {
	struct task *t;          /* NULL: kbuf */
	const struct iovec *iov;
	int nr_segs;
	void *kbuf;
	size_t count;            /* total bytes */
};

/* Copies n bytes at offset off of the transfer: -EFAULT or 0. */
int sock_iter_copy_from(const struct sock_iter *it, size_t off, void *dst, size_t n);
int sock_iter_copy_to(const struct sock_iter *it, size_t off, const void *src, size_t n);

/* Ancillary data (Linux's scm_cookie). fp holds references. On send it is
 * what the sender passes (creds: SCM_CREDENTIALS given explicitly); on
 * receive, what came with the data (has_creds false: the sender attached
 * none, which a receiver with SO_PASSCRED sees as pid 0, uid/gid 65534). */
struct scm_cookie {
	struct file **fp;
	int nfp;
	bool has_creds;
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

void scm_destroy(struct scm_cookie *scm);

/* One message in kernel form (struct msghdr after copying in). */
struct sock_msg {
	struct sock_iter it;
	struct sockaddr_storage name; /* send: destination; receive: source */
	int namelen;                  /* 0: none */
	struct scm_cookie scm;
	int flags;                    /* the call's MSG_* (O_NONBLOCK: MSG_DONTWAIT) */
	int msg_flags;                /* receive: MSG_TRUNC, MSG_CTRUNC, MSG_EOR */
};

struct socket;

struct socket_ops {
	int (*bind)(struct socket *s, struct task *t, const struct sockaddr_storage *addr, int len);
	/* fflags: the file's flags (O_NONBLOCK). */
	int (*connect)(struct socket *s, struct task *t, const struct sockaddr_storage *addr, int len,
		       int fflags);
	int (*listen)(struct socket *s, struct task *t, int backlog);
	/* A connected socket without a file yet; the caller makes the file. */
	int (*accept)(struct socket *s, struct task *t, int fflags, struct socket **out);
	/* The socket's (peer: its peer's) address; returns its length. */
	int (*getname)(struct socket *s, struct sockaddr_storage *addr, bool peer);
	/* *done: bytes earlier runs of this syscall already sent/received;
	 * on -EBLOCKED it holds the progress so far, else the result does. */
	long (*sendmsg)(struct socket *s, struct task *t, struct sock_msg *m, size_t *done);
	long (*recvmsg)(struct socket *s, struct task *t, struct sock_msg *m, size_t *done);
	int (*shutdown)(struct socket *s, int how);
	unsigned int (*poll)(struct socket *s, struct task *t, unsigned int events);
	long (*ioctl)(struct socket *s, struct task *t, unsigned int cmd, uint64_t arg);
	/* Options the family handles (any level): -ENOPROTOOPT when it has
	 * no such option, then SOL_SOCKET ones go to the generic code. */
	int (*getsockopt)(struct socket *s, struct task *t, int level, int name, void *val, int *len);
	int (*setsockopt)(struct socket *s, struct task *t, int level, int name, const void *val,
			  int len);
	/* Joins two new sockets (socketpair); NULL: -EOPNOTSUPP. */
	int (*socketpair)(struct socket *a, struct socket *b, struct task *t);
	/* The send buffer grew (SO_SNDBUF): wake blocked senders. */
	void (*write_space)(struct socket *s);
	/* The file is gone (or an unaccepted socket is dropped). */
	void (*release)(struct socket *s);
};

/* Options and identity every family shares. */
struct socket {
	int family, type, protocol;
	const struct socket_ops *ops;
	struct file *file;           /* the socket's file, not a reference; NULL until accepted */
	uint64_t ino;
	uid_t uid;                   /* the creator's fsuid/fsgid (fstat) */
	gid_t gid;
	int err;                     /* pending error (sk_err): SO_ERROR, reported once */
	int sndbuf, rcvbuf;
	int rcvlowat;
	int64_t rcvtimeo_ns, sndtimeo_ns; /* -1: forever; 0: never wait */
	bool passcred, reuseaddr, reuseport, keepalive, broadcast, dontroute, oobinline, debug;
	int priority;
	int linger_onoff, linger_secs;
};

/* Fills the shared part for a new socket created by t. */
void socket_init(struct socket *s, struct task *t, int family, int type, int protocol,
		 const struct socket_ops *ops);
/* A file for s (refcount 1): O_RDWR plus O_NONBLOCK from flags. */
struct file *socket_file_new(struct socket *s, int flags);
/* The socket behind f, or NULL (the caller says ENOTSOCK). */
struct socket *socket_from_file(struct file *f);
/* Takes and clears s->err (sock_error). */
int sock_error(struct socket *s);
/* How long a blocking operation may wait: -1 forever, 0 not at all. */
int64_t sock_rcvtimeo(const struct socket *s, bool nonblock);
int64_t sock_sndtimeo(const struct socket *s, bool nonblock);
/* Before blocking: arms the deadline of a timed wait (first run only)
 * and says whether to give up: -EAGAIN when the timeout passed, the
 * signal errno (sock_intr_errno) when one is pending, 0 to block. */
int sock_wait_check(struct socket *s, struct task *t, int64_t timeo);

/* The generic SOL_SOCKET options (sock_getsockopt/sock_setsockopt). */
int sock_getsockopt(struct socket *s, struct task *t, int name, void *val, int *len);
int sock_setsockopt(struct socket *s, struct task *t, int name, const void *val, int len);

/* socket(2) and socketpair(2) minus the fds. */
int socket_create(struct task *t, int family, int type, int protocol, struct socket **out);
int socket_create_pair(struct task *t, int family, int type, int protocol, struct socket **a,
		       struct socket **b);

#endif
