/* POSIX message queues and the mqueue filesystem (Linux's ipc/mqueue.c).
 *
 * A queue is a regular file of the sandbox's one mqueue superblock (the
 * sandbox is one IPC namespace): mq_open finds it by name under the
 * superblock's root through an internal mount, and every mount of type
 * "mqueue" (config.json's /dev/mqueue, mount(2)) shows the same root. A
 * message queue descriptor is an open file of a queue; its read(2) gives
 * the "QSIZE:... NOTIFY:..." line, poll reports POLLIN (messages) and
 * POLLOUT (room). The syscalls are in syscalls/sys_mqueue.c. */
#ifndef SENTRY_FS_MQUEUE_H
#define SENTRY_FS_MQUEUE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sentry/kernel.h"
#include "sentry/vfs.h"

/* Linux's hard ceilings and priority bound (include/linux/ipc_namespace.h,
 * include/uapi/linux/mqueue.h). */
#define MQ_HARD_MSGMAX 65536
#define MQ_HARD_MSGSIZEMAX (16 * 1024 * 1024)
#define MQ_MIN_MSGMAX 1
#define MQ_MIN_MSGSIZEMAX 128
#define MQ_PRIO_MAX_K 32768

/* struct mq_attr as the kernel copies it (64 bytes, reserved included). */
struct mq_attr_k {
	long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
	long reserved[4];
};

/* The IPC namespace's limits (/proc/sys/fs/mqueue). */
struct mq_limits {
	int queues_max, msg_max, msgsize_max, msg_default, msgsize_default;
};
extern struct mq_limits mq_limits;

struct mqueue;

/* The queue behind f, or NULL when f is not a message queue (EBADF). */
struct mqueue *mqueue_from_file(struct file *f);
/* The internal mount's root (new reference): where mq_open and
 * mq_unlink look names up. */
int mqueue_root(struct path *out);
/* Makes name (a negative dentry under the root) a new queue: mode is the
 * permission bits after the umask, attr NULL for the defaults. Checks
 * attr (EINVAL), queues_max (ENOSPC) and t's RLIMIT_MSGQUEUE (EMFILE). */
int mqueue_create(struct task *t, struct dentry *d, uint32_t mode, const struct mq_attr_k *attr);

/* mq_timedsend/mq_timedreceive on an open queue, once the fd and the
 * timeout are checked: deadline is CLOCK_MONOTONIC ns, 0 for none. */
long mqueue_send(struct task *t, struct file *f, uint64_t uptr, size_t len, unsigned int prio,
		 int64_t deadline);
long mqueue_receive(struct task *t, struct file *f, uint64_t uptr, size_t len, uint64_t uprio,
		    int64_t deadline);
/* mq_notify: ev NULL deregisters (if t's process is the owner). */
int mqueue_notify(struct task *t, struct file *f, const struct sigevent *ev);
/* mq_getsetattr's core: the queue's attributes with f's O_NONBLOCK. */
void mqueue_getattr(struct file *f, struct mq_attr_k *out);
/* Records an attribute change (ctime/atime), as mq_notify does. */
void mqueue_touch(struct file *f);

#endif
