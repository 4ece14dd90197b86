/* inotify instances (see inotify.h), after Linux's inotify_user.c and
 * inotify_fsnotify.c:
 *  - an event identical to the last one queued (mask, wd, name) is merged
 *    into it, unless that one is an IN_IGNORED;
 *  - past max_queued_events one IN_Q_OVERFLOW (wd -1) ends the queue until
 *    it is read, and later events are dropped;
 *  - wds are allocated cyclically from 1 (idr_alloc_cyclic), so a removed
 *    wd is not handed out again soon;
 *  - instances and watches are counted per user (the creator's euid). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include "runsc/util.h"
#include "sentry/fs/anon_inode.h"
#include "sentry/fs/inotify.h"
#include "sentry/fs/procfs.h"
#include "sentry/fsnotify.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

struct inotify_ucount {
	struct list_head link;
	uid_t uid;
	int instances, watches;
};

static struct list_head ucounts = LIST_HEAD_INIT(ucounts);

struct inotify_kevent {
	struct list_head list;
	int32_t wd;
	uint32_t mask, cookie;
	uint32_t name_len; /* strlen(name), 0 without one */
	char name[];
};

struct inotify_group {
	struct list_head events;
	unsigned int q_len;          /* the overflow event counts too */
	struct inotify_kevent *overflow;
	struct list_head marks;      /* newest first, as fdinfo lists them */
	int last_wd;
	struct waitqueue wq;
	struct inotify_ucount *uc;
};

struct inotify_mark {
	struct fsnotify_mark fsn;
	struct inotify_group *g;
	struct list_head g_list;
	int wd;
};

static const struct file_ops inotify_fops;

bool file_is_inotify(const struct file *f)
{
	return f->ops == &inotify_fops;
}

static struct inotify_ucount *ucount_get(uid_t uid)
{
	struct inotify_ucount *uc;

	list_for_each_entry(uc, &ucounts, link)
		if (uc->uid == uid)
			return uc;
	uc = xzalloc(sizeof(*uc));
	uc->uid = uid;
	list_add(&uc->link, &ucounts);
	return uc;
}

static void ucount_put(struct inotify_ucount *uc)
{
	if (uc->instances || uc->watches)
		return;
	list_del(&uc->link);
	free(uc);
}

/* The record's size in read(2): the name NUL-terminated and padded to a
 * multiple of the header's size. */
static size_t kevent_size(const struct inotify_kevent *e)
{
	size_t pad = e->name_len ? ALIGN_UP(e->name_len + 1, sizeof(struct inotify_event)) : 0;

	return sizeof(struct inotify_event) + pad;
}

static void queue_event(struct inotify_group *g, int wd, uint32_t mask, uint32_t cookie,
			const char *name)
{
	struct inotify_kevent *e;
	size_t len = name ? strlen(name) : 0;

	if (g->q_len >= INOTIFY_MAX_QUEUED_EVENTS) {
		if (list_linked(&g->overflow->list))
			return;
		e = g->overflow;
		goto queue;
	}
	if (!list_empty(&g->events)) {
		struct inotify_kevent *last = list_entry(g->events.prev, struct inotify_kevent, list);

		if (!(last->mask & IN_IGNORED) && last->mask == mask && last->wd == wd &&
		    last->name_len == len && (!len || strcmp(last->name, name) == 0))
			return;
	}
	e = xzalloc(sizeof(*e) + len + 1);
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->name_len = (uint32_t)len;
	if (len)
		memcpy(e->name, name, len);
queue:
	g->q_len++;
	list_add_tail(&e->list, &g->events);
	wq_wake_key(&g->wq, POLLIN | POLLRDNORM);
}

static void kevent_free(struct inotify_group *g, struct inotify_kevent *e)
{
	list_del(&e->list);
	g->q_len--;
	if (e != g->overflow)
		free(e);
}

/* The end of a watch: IN_IGNORED unless the instance itself is going. */
static void mark_free(struct inotify_mark *im, bool ignored)
{
	struct inotify_group *g = im->g;

	if (ignored)
		queue_event(g, im->wd, IN_IGNORED, 0, NULL);
	list_del(&im->g_list);
	g->uc->watches--;
	free(im);
}

static void mark_handle_event(struct fsnotify_mark *m, uint32_t mask, const char *name,
			      uint32_t cookie)
{
	struct inotify_mark *im = container_of(m, struct inotify_mark, fsn);

	/* inotify never reported IN_ISDIR with these two, and keeps not
	 * doing so. */
	if (mask & (IN_MOVE_SELF | IN_DELETE_SELF))
		mask &= ~(uint32_t)IN_ISDIR;
	queue_event(im->g, im->wd, mask & (IN_ALL_EVENTS | IN_ISDIR | IN_UNMOUNT), cookie, name);
	if (m->mask & IN_ONESHOT) {
		fsnotify_detach_mark(m);
		mark_free(im, true);
	}
}

static void mark_detached(struct fsnotify_mark *m)
{
	mark_free(container_of(m, struct inotify_mark, fsn), true);
}

static const struct fsnotify_mark_ops inotify_mark_ops = {
	.handle_event = mark_handle_event,
	.detached = mark_detached,
};

static struct inotify_mark *find_wd(struct inotify_group *g, int wd)
{
	struct inotify_mark *im;

	list_for_each_entry(im, &g->marks, g_list)
		if (im->wd == wd)
			return im;
	return NULL;
}

static bool mark_of_group(struct fsnotify_mark *m, void *arg)
{
	return m->ops == &inotify_mark_ops && container_of(m, struct inotify_mark, fsn)->g == arg;
}

int inotify_file_add_watch(struct file *f, struct inode *ino, uint32_t mask)
{
	struct inotify_group *g = f->priv;
	struct fsnotify_mark *m = fsnotify_find_mark(ino, mark_of_group, g);
	uint32_t keep = mask & (IN_ALL_EVENTS | IN_EXCL_UNLINK | IN_ONESHOT);
	struct inotify_mark *im;
	int wd;

	if (m) {
		if (mask & IN_MASK_CREATE)
			return -EEXIST;
		if (!(mask & IN_MASK_ADD))
			m->mask = 0;
		m->mask |= keep;
		return container_of(m, struct inotify_mark, fsn)->wd;
	}
	/* idr_alloc_cyclic(): the cursor moves even if the limit then
	 * refuses the watch. */
	wd = g->last_wd;
	do
		wd = wd == INT_MAX ? 1 : wd + 1;
	while (find_wd(g, wd));
	g->last_wd = wd;
	if (g->uc->watches >= INOTIFY_MAX_USER_WATCHES)
		return -ENOSPC;
	im = xzalloc(sizeof(*im));
	im->g = g;
	im->wd = wd;
	im->fsn.ops = &inotify_mark_ops;
	im->fsn.mask = keep;
	list_add(&im->g_list, &g->marks);
	g->uc->watches++;
	fsnotify_add_mark(&im->fsn, ino);
	return wd;
}

int inotify_file_rm_watch(struct file *f, int wd)
{
	struct inotify_mark *im = find_wd(f->priv, wd);

	if (!im)
		return -EINVAL;
	fsnotify_detach_mark(&im->fsn);
	mark_free(im, true);
	return 0;
}

static ssize_t inotify_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct inotify_group *g = f->priv;
	size_t done = 0;

	/* No FMODE_PREAD: pread(2) and friends pass their own position. */
	if (pos != &f->pos)
		return -ESPIPE;
	while (!list_empty(&g->events)) {
		struct inotify_kevent *e = list_first_entry(&g->events, struct inotify_kevent, list);
		size_t sz = kevent_size(e);
		struct inotify_event h = {
			.wd = e->wd, .mask = e->mask, .cookie = e->cookie,
			.len = (uint32_t)(sz - sizeof(h)),
		};
		char *p = (char *)buf + done;

		/* Whole records only: one that does not fit stays queued,
		 * and if it is the first the buffer is too small. */
		if (sz > len - done) {
			if (!done)
				return -EINVAL;
			break;
		}
		memcpy(p, &h, sizeof(h));
		memset(p + sizeof(h), 0, h.len);
		memcpy(p + sizeof(h), e->name, e->name_len);
		done += sz;
		kevent_free(g, e);
	}
	if (done)
		return (ssize_t)done;
	if ((f->flags & O_NONBLOCK) || !t)
		return -EAGAIN;
	if (signal_pending(t))
		return -ERESTARTSYS;
	task_wait_on(t, &g->wq);
	return -EBLOCKED;
}

/* noop_llseek(): lseek succeeds and moves nothing. */
static int64_t inotify_llseek(struct file *f, int64_t off, int whence)
{
	return f->pos;
}

static unsigned int inotify_poll(struct file *f, struct task *t, unsigned int events)
{
	struct inotify_group *g = f->priv;
	unsigned int mask = list_empty(&g->events) ? 0 : POLLIN | POLLRDNORM;

	if (t && !(mask & events))
		task_wait_on(t, &g->wq);
	return mask;
}

static long inotify_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct inotify_group *g = f->priv;
	struct inotify_kevent *e;
	int n = 0;

	if (cmd != FIONREAD)
		return -ENOTTY;
	list_for_each_entry(e, &g->events, list)
		n += (int)kevent_size(e);
	return copy_to_user(t, arg, &n, sizeof(n));
}

static void inotify_release(struct file *f)
{
	struct inotify_group *g = f->priv;
	struct inotify_ucount *uc = g->uc;

	while (!list_empty(&g->marks)) {
		struct inotify_mark *im = list_first_entry(&g->marks, struct inotify_mark, g_list);

		fsnotify_detach_mark(&im->fsn);
		mark_free(im, false);
	}
	while (!list_empty(&g->events))
		kevent_free(g, list_first_entry(&g->events, struct inotify_kevent, list));
	wq_wake_all(&g->wq);
	free(g->overflow);
	free(g);
	uc->instances--;
	ucount_put(uc);
}

static int inotify_dname(struct file *f, char *buf, size_t len)
{
	return snprintf(buf, len, "anon_inode:inotify");
}

/* Linux's inotify_fdinfo(), without the file handle (the sandbox has no
 * name_to_handle_at): watches newest first. */
static void inotify_show_fdinfo(struct file *f, struct sbuf *out)
{
	struct inotify_group *g = f->priv;
	struct inotify_mark *im;

	list_for_each_entry(im, &g->marks, g_list) {
		struct inode *ino = im->fsn.inode;
		uint64_t dev = ino->sb->dev;

		sbuf_printf(out, "inotify wd:%x ino:%llx sdev:%x mask:%x ignored_mask:0 \n", im->wd,
			    (unsigned long long)ino->ino,
			    (unsigned int)((major(dev) << 20) | minor(dev)),
			    im->fsn.mask & (IN_ALL_EVENTS | IN_EXCL_UNLINK | IN_ONESHOT));
	}
}

static const struct file_ops inotify_fops = {
	.read = inotify_read,
	.llseek = inotify_llseek,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.getattr = anon_inode_getattr,
	.release = inotify_release,
	.dname = inotify_dname,
	.show_fdinfo = inotify_show_fdinfo,
};

int inotify_create(uid_t uid, int flags, struct file **out)
{
	struct inotify_ucount *uc = ucount_get(uid);
	struct inotify_group *g;

	if (uc->instances >= INOTIFY_MAX_USER_INSTANCES) {
		ucount_put(uc);
		return -EMFILE;
	}
	uc->instances++;
	g = xzalloc(sizeof(*g));
	list_init(&g->events);
	list_init(&g->marks);
	wq_init(&g->wq);
	g->uc = uc;
	g->overflow = xzalloc(sizeof(*g->overflow));
	g->overflow->wd = -1;
	g->overflow->mask = IN_Q_OVERFLOW;
	list_init(&g->overflow->list);
	*out = file_alloc(&inotify_fops, O_RDONLY | (flags & O_NONBLOCK), g);
	return 0;
}
