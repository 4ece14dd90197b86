/* eventfd (Linux fs/eventfd.c): a read takes the whole count (or 1 in
 * semaphore mode) and blocks while it is 0; a write adds to it and blocks
 * while the sum would pass 0xfffffffffffffffe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/util.h"
#include "sentry/fs/anon_inode.h"
#include "sentry/fs/eventfd.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/vfs.h"

#define EFD_MAX UINT64_MAX

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct waitqueue wq;
};

static const struct file_ops eventfd_fops;

bool file_is_eventfd(const struct file *f) { return f->ops == &eventfd_fops; }

static ssize_t eventfd_block(struct file *f, struct task *t)
{
	struct eventfd *e = f->priv;

	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (signal_pending(t))
		return -ERESTARTSYS;
	task_wait_on(t, &e->wq);
	return -EBLOCKED;
}

static ssize_t eventfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	if (len < sizeof(v))
		return -EINVAL;
	if (e->count == 0)
		return eventfd_block(f, t);
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, sizeof(v));
	/* Room for writers: an edge-triggered EPOLLIN watcher must not fire. */
	wq_wake_key(&e->wq, POLLOUT);
	return sizeof(v);
}

static ssize_t eventfd_write(struct file *f, struct task *t, const void *buf, size_t len,
			     int64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	/* Reads take any buffer of at least 8 bytes; writes exactly 8. */
	if (len != sizeof(v))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v == EFD_MAX)
		return -EINVAL;
	if (EFD_MAX - e->count <= v)
		return eventfd_block(f, t);
	e->count += v;
	wq_wake_key(&e->wq, POLLIN);
	return sizeof(v);
}

static unsigned int eventfd_poll(struct file *f, struct task *t, unsigned int events)
{
	struct eventfd *e = f->priv;
	unsigned int mask = 0;

	/* Linux reports neither POLLRDNORM nor POLLWRNORM here. */
	if (e->count > 0)
		mask |= POLLIN;
	if (e->count == EFD_MAX)
		mask |= POLLERR;
	if (e->count < EFD_MAX - 1)
		mask |= POLLOUT;
	if (t && !(mask & (events | POLLERR)))
		task_wait_on(t, &e->wq);
	return mask;
}

static void eventfd_release(struct file *f)
{
	struct eventfd *e = f->priv;

	/* A task of a process sharing the fd table may still wait here. */
	wq_wake_all(&e->wq);
	free(e);
}

static int eventfd_dname(struct file *f, char *buf, size_t len)
{
	return snprintf(buf, len, "anon_inode:[eventfd]");
}

static const struct file_ops eventfd_fops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.getattr = anon_inode_getattr,
	.release = eventfd_release,
	.dname = eventfd_dname,
};

int eventfd_create(uint64_t count, int flags, struct file **out)
{
	struct eventfd *e = xzalloc(sizeof(*e));

	e->count = count;
	e->semaphore = flags & KEFD_SEMAPHORE;
	wq_init(&e->wq);
	*out = file_alloc(&eventfd_fops, O_RDWR | (flags & O_NONBLOCK), e);
	return 0;
}
