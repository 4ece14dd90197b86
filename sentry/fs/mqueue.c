/* The mqueue filesystem and the message queues in it (Linux's
 * ipc/mqueue.c); see sentry/fs/mqueue.h.
 *
 * Messages are kept in one list, highest priority first and in arrival
 * order within a priority, so a receive takes the head. Receivers waiting
 * for a message, senders waiting for room and pollers each have their own
 * wait queue. Linux hands a message straight to a waiting receiver (and a
 * waiting sender's message straight into the room a receive made); here
 * the message goes into the queue and the woken waiter takes it when it
 * runs, which the caller cannot tell apart, except that a registered
 * notification is not sent while a receiver waits, as on Linux.
 *
 * Accounting as Linux: a queue counts against queues_max and its creator's
 * RLIMIT_MSGQUEUE (its maximal size, per user) until its inode goes, not
 * when its name does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/mqueue.h"
#include "sentry/kernel.h"
#include "sentry/list.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#ifndef SI_MESGQ
#define SI_MESGQ (-3)
#endif

/* Linux's sizes for directories and queue files (ls -l shows them). */
#define DIRENT_SIZE 20
#define FILENT_SIZE 80
/* What Linux charges per message slot beyond its text: a struct msg_msg
 * and, up to MQ_PRIO_MAX, a priority tree node (x86_64 sizes). */
#define MSG_MSG_SIZE 48
#define TREE_NODE_SIZE 48

struct mq_limits mq_limits = {
	.queues_max = 256,
	.msg_max = 10,
	.msgsize_max = 8192,
	.msg_default = 10,
	.msgsize_default = 8192,
};

struct mq_msg {
	struct list_head link;
	unsigned int prio;
	size_t len;
	char data[];
};

struct mqueue {
	struct inode *inode;
	struct mq_attr_k attr;          /* maxmsg, msgsize, curmsgs */
	struct list_head msgs;          /* of mq_msg, highest priority first */
	unsigned long qsize;            /* bytes of message text */
	struct waitqueue recv_wq, send_wq, poll_wq;
	/* The registered notification: owner identified by tgid and start
	 * time, so that a reused pid is not taken for it. */
	bool notify_set;
	struct sigevent notify;
	pid_t notify_tgid;
	int64_t notify_start;
	/* RLIMIT_MSGQUEUE charge: bytes against uid. */
	uid_t charged_uid;
	uint64_t charged_bytes;
};

/* One entry of the root directory; pos orders getdents and stays valid
 * while queues come and go. */
struct mq_dirent {
	struct list_head link;
	char *name;
	struct inode *ino;      /* the directory's reference */
	int64_t pos;
};

struct mq_dir {
	struct list_head entries;
	int64_t next_pos;
};

/* Bytes of queues charged per user (Linux's UCOUNT_RLIMIT_MSGQUEUE). */
struct mq_user {
	struct list_head link;
	uid_t uid;
	uint64_t bytes;
};

static struct superblock *mq_sb;
static struct inode *mq_root_inode;
static struct mount *mq_mnt;
static unsigned int mq_queues_count;
static struct list_head mq_users = LIST_HEAD_INIT(mq_users);

static const struct inode_ops mq_dir_iops;
static const struct file_ops mq_dir_fops;
static const struct inode_ops mq_file_iops;
static const struct file_ops mq_file_fops;

#define FIRST_POS 2

/* ---- accounting ---- */

static struct mq_user *mq_user(uid_t uid, bool create)
{
	struct mq_user *u;

	list_for_each_entry(u, &mq_users, link) {
		if (u->uid == uid)
			return u;
	}
	if (!create)
		return NULL;
	u = xzalloc(sizeof(*u));
	u->uid = uid;
	list_add_tail(&u->link, &mq_users);
	return u;
}

static void mq_uncharge(struct mqueue *q)
{
	struct mq_user *u = mq_user(q->charged_uid, false);

	if (!u)
		return;
	u->bytes -= q->charged_bytes;
	if (!u->bytes) {
		list_del(&u->link);
		free(u);
	}
}

/* ---- the superblock ---- */

static int mq_sb_init(void)
{
	struct mq_dir *d;

	if (mq_sb)
		return 0;
	/* Queues change behind any one mount's dentries (mq_open and
	 * mq_unlink go through the internal mount), so no dentry outlives
	 * its use (Linux's DCACHE_DONTCACHE). */
	mq_sb = sb_new("mqueue", SB_NO_DCACHE);
	mq_root_inode = inode_new(mq_sb, S_IFDIR | S_ISVTX | 0777, &mq_dir_iops, &mq_dir_fops);
	mq_root_inode->size = 2 * DIRENT_SIZE;
	mq_root_inode->blksize = PAGE_SIZE;
	d = xzalloc(sizeof(*d));
	list_init(&d->entries);
	d->next_pos = FIRST_POS;
	mq_root_inode->priv = d;
	/* The superblock lives as long as the sandbox: sb_new's reference
	 * is never dropped. */
	return 0;
}

int mqueue_root(struct path *out)
{
	struct dentry *rd;

	if (!mq_mnt) {
		mq_sb_init();
		rd = d_make_root(mq_root_inode);
		mq_mnt = mnt_alloc(rd, 0, "mqueue");
		dentry_put(rd);
		/* Parentless and not the tree's top: an internal mount that
		 * no mount table shows (Linux's kern_mount). */
		mnt_attach(mq_mnt, NULL);
	}
	out->mnt = mnt_get(mq_mnt);
	out->dentry = dentry_get(mq_mnt->root);
	return 0;
}

static void touch(struct inode *ino, bool a, bool m, bool c)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (a)
		ino->atime = now;
	if (m)
		ino->mtime = now;
	if (c)
		ino->ctime = now;
}

/* ---- the root directory ---- */

static struct mq_dirent *dir_find(const char *name)
{
	struct mq_dir *d = mq_root_inode->priv;
	struct mq_dirent *e;

	list_for_each_entry(e, &d->entries, link) {
		if (!strcmp(e->name, name))
			return e;
	}
	return NULL;
}

static int mq_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct mq_dirent *e = dir_find(name);

	if (!e)
		return -ENOENT;
	*out = inode_get(e->ino);
	return 0;
}

/* mqueue_create_attr() + mqueue_get_inode(). */
static int new_queue(const struct cred *c, const struct rlimit *rlim, const char *name, uint32_t mode,
		     const struct mq_attr_k *attr, struct inode **out)
{
	struct mq_dir *d = mq_root_inode->priv;
	bool sys_resource = !c || cred_capable(c, CAP_SYS_RESOURCE);
	long maxmsg = MIN(mq_limits.msg_max, mq_limits.msg_default);
	long msgsize = MIN(mq_limits.msgsize_max, mq_limits.msgsize_default);
	uint64_t bytes;
	struct mq_dirent *e;
	struct mqueue *q;
	struct mq_user *u;
	struct inode *ino;

	if (dir_find(name))
		return -EEXIST;
	if (mq_queues_count >= (unsigned int)mq_limits.queues_max && !sys_resource)
		return -ENOSPC;
	if (attr) {
		maxmsg = attr->mq_maxmsg;
		msgsize = attr->mq_msgsize;
	}
	if (maxmsg <= 0 || msgsize <= 0)
		return -EINVAL;
	if (sys_resource ? maxmsg > MQ_HARD_MSGMAX || msgsize > MQ_HARD_MSGSIZEMAX
			 : maxmsg > mq_limits.msg_max || msgsize > mq_limits.msgsize_max)
		return -EINVAL;
	/* The hard limits keep this far from overflowing. */
	bytes = (uint64_t)maxmsg * (uint64_t)msgsize + (uint64_t)maxmsg * MSG_MSG_SIZE +
		(uint64_t)MIN(maxmsg, MQ_PRIO_MAX_K) * TREE_NODE_SIZE;
	u = mq_user(c ? c->uid : 0, true);
	if (rlim && rlim->rlim_cur != RLIM_INFINITY && u->bytes + bytes > rlim->rlim_cur) {
		if (!u->bytes) {
			list_del(&u->link);
			free(u);
		}
		return -EMFILE;
	}
	u->bytes += bytes;

	ino = inode_new(mq_sb, S_IFREG | (mode & 07777), &mq_file_iops, &mq_file_fops);
	ino->uid = c ? c->fsuid : 0;
	ino->gid = c ? c->fsgid : 0;
	ino->size = FILENT_SIZE;
	ino->blksize = PAGE_SIZE;
	q = xzalloc(sizeof(*q));
	q->inode = ino;
	q->attr.mq_maxmsg = maxmsg;
	q->attr.mq_msgsize = msgsize;
	list_init(&q->msgs);
	wq_init(&q->recv_wq);
	wq_init(&q->send_wq);
	wq_init(&q->poll_wq);
	q->charged_uid = u->uid;
	q->charged_bytes = bytes;
	ino->priv = q;
	mq_queues_count++;

	e = xzalloc(sizeof(*e));
	e->name = xstrdup(name);
	e->ino = ino; /* inode_new's reference */
	e->pos = d->next_pos++;
	list_add_tail(&e->link, &d->entries);
	mq_root_inode->size += DIRENT_SIZE;
	touch(mq_root_inode, true, true, true);
	if (out)
		*out = inode_get(ino);
	return 0;
}

int mqueue_create(struct task *t, struct dentry *d, uint32_t mode, const struct mq_attr_k *attr)
{
	struct inode *ino;
	int rc;

	rc = new_queue(t ? t->cred : NULL, t ? &t->tg->rlim[RLIMIT_MSGQUEUE] : NULL, d->name, mode,
		       attr, &ino);
	if (rc < 0)
		return rc;
	d_instantiate(d, ino);
	inode_put(ino);
	return 0;
}

/* open(O_CREAT) on a mount: a queue with the default attributes. */
static int mq_create(struct inode *dir, const char *name, uint32_t mode, struct inode **out)
{
	struct task *t = kernel ? kernel->current : NULL;

	return new_queue(vfs_current_cred(), t ? &t->tg->rlim[RLIMIT_MSGQUEUE] : NULL, name, mode,
			 NULL, out);
}

static int mq_unlink(struct inode *dir, const char *name)
{
	struct mq_dirent *e = dir_find(name);

	if (!e)
		return -ENOENT;
	list_del(&e->link);
	e->ino->nlink = 0;
	touch(e->ino, false, false, true);
	mq_root_inode->size -= DIRENT_SIZE;
	touch(mq_root_inode, true, true, true);
	inode_put(e->ino);
	free(e->name);
	free(e);
	return 0;
}

static int mq_iterate(struct file *f, struct dir_context *ctx)
{
	struct mq_dir *d = mq_root_inode->priv;
	struct mq_dirent *e;

	if (ctx->pos < 0)
		return -EINVAL;
	if (!dir_emit_dots(f, ctx))
		return 0;
	list_for_each_entry(e, &d->entries, link) {
		if (e->pos < ctx->pos)
			continue;
		if (!ctx->actor(ctx, e->name, (int)strlen(e->name), e->pos + 1, e->ino->ino, DT_REG))
			return 0;
		ctx->pos = e->pos + 1;
	}
	ctx->pos = MAX(ctx->pos, d->next_pos);
	return 0;
}

/* simple_setattr(): chmod, chown and utimes on queues and the root (the
 * VFS checked them). */
static int mq_setattr(struct inode *ino, const struct vfs_iattr *ia)
{
	if (ia->valid & VFS_ATTR_MODE)
		ino->mode = (ino->mode & S_IFMT) | (ia->mode & 07777);
	if (ia->valid & VFS_ATTR_UID)
		ino->uid = ia->uid;
	if (ia->valid & VFS_ATTR_GID)
		ino->gid = ia->gid;
	if (ia->valid & VFS_ATTR_SIZE)
		ino->size = ia->size;
	if (ia->valid & VFS_ATTR_ATIME)
		ino->atime = ia->atime;
	if (ia->valid & VFS_ATTR_MTIME)
		ino->mtime = ia->mtime;
	touch(ino, false, false, true);
	return 0;
}

static const struct inode_ops mq_dir_iops = {
	.setattr = mq_setattr,
	.lookup = mq_lookup,
	.create = mq_create,
	.unlink = mq_unlink,
};

static const struct file_ops mq_dir_fops = {
	.llseek = dcache_dir_llseek,
	.iterate = mq_iterate,
};

/* ---- queues ---- */

struct mqueue *mqueue_from_file(struct file *f)
{
	return f && f->ops == &mq_file_fops && f->inode ? f->inode->priv : NULL;
}

/* A cached dentry of a queue unlinked through another mount (or mq_unlink)
 * must not find it again. */
static bool mq_revalidate(struct inode *ino)
{
	return ino->nlink > 0;
}

static void free_msgs(struct mqueue *q)
{
	struct mq_msg *m, *n;

	list_for_each_entry_safe(m, n, &q->msgs, link) {
		list_del(&m->link);
		free(m);
	}
}

static void mq_evict(struct inode *ino)
{
	struct mqueue *q = ino->priv;

	if (!q)
		return;
	/* Tasks of processes sharing an fd table may wait here still: they
	 * re-run and find the descriptor gone. */
	wq_wake_all(&q->recv_wq);
	wq_wake_all(&q->send_wq);
	wq_wake_all(&q->poll_wq);
	free_msgs(q);
	mq_uncharge(q);
	mq_queues_count--;
	free(q);
	ino->priv = NULL;
}

static const struct inode_ops mq_file_iops = {
	.setattr = mq_setattr,
	.evict = mq_evict,
	.revalidate = mq_revalidate,
};

/* Whether the notification is still registered: its owner closing its
 * last descriptor of the queue (flush) or exiting removes it. */
static bool notify_registered(struct mqueue *q)
{
	struct thread_group *tg;

	if (!q->notify_set)
		return false;
	tg = tg_lookup(q->notify_tgid);
	if (!tg || tg->start_time_mono != q->notify_start || tg->zombie || tg->group_exiting) {
		q->notify_set = false;
		return false;
	}
	return true;
}

static void remove_notification(struct mqueue *q)
{
	q->notify_set = false;
}

/* __do_notify(): the queue just went from empty to one message. */
static void do_notify(struct mqueue *q, struct task *sender)
{
	if (!notify_registered(q) || q->attr.mq_curmsgs != 1)
		return;
	if (q->notify.sigev_notify == SIGEV_SIGNAL && q->notify.sigev_signo) {
		struct thread_group *tg = tg_lookup(q->notify_tgid);
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = q->notify.sigev_signo;
		si.si_code = SI_MESGQ;
		si.si_value = q->notify.sigev_value;
		si.si_pid = task_tgid(sender);
		si.si_uid = sender->cred->uid;
		/* From the kernel: no kill(2) permission check. */
		if (tg)
			signal_send_group(tg, q->notify.sigev_signo, &si);
	}
	remove_notification(q);
}

static bool fmode_read(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return acc == O_RDONLY || acc == O_RDWR;
}

static bool fmode_write(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return acc == O_WRONLY || acc == O_RDWR;
}

long mqueue_send(struct task *t, struct file *f, uint64_t uptr, size_t len, unsigned int prio,
		 int64_t deadline)
{
	struct mqueue *q = mqueue_from_file(f);
	struct list_head *at;
	struct mq_msg *m;

	if (!q || !fmode_write(f))
		return -EBADF;
	if (len > (size_t)q->attr.mq_msgsize)
		return -EMSGSIZE;
	m = xmalloc(sizeof(*m) + len);
	m->prio = prio;
	m->len = len;
	if (copy_from_user(t, m->data, uptr, len)) {
		free(m);
		return -EFAULT;
	}
	if (q->attr.mq_curmsgs >= q->attr.mq_maxmsg) {
		free(m);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (signal_pending(t))
			return -ERESTARTSYS;
		if (t->sys.timed_out || (deadline && deadline <= kernel_mono_ns()))
			return -ETIMEDOUT;
		task_wait_on(t, &q->send_wq);
		if (deadline)
			task_set_deadline(t, deadline);
		return -EBLOCKED;
	}
	/* After the last message of a higher or equal priority. */
	at = &q->msgs;
	for (struct list_head *p = q->msgs.prev; p != &q->msgs; p = p->prev) {
		if (list_entry(p, struct mq_msg, link)->prio >= prio) {
			at = p;
			break;
		}
	}
	list_add(&m->link, at);
	q->attr.mq_curmsgs++;
	q->qsize += len;
	touch(q->inode, true, true, true);
	if (wq_has_waiters(&q->recv_wq))
		wq_wake_all(&q->recv_wq);
	else
		do_notify(q, t);
	wq_wake_key(&q->poll_wq, POLLIN | POLLRDNORM);
	return 0;
}

long mqueue_receive(struct task *t, struct file *f, uint64_t uptr, size_t len, uint64_t uprio,
		    int64_t deadline)
{
	struct mqueue *q = mqueue_from_file(f);
	struct mq_msg *m;
	long rc;

	if (!q || !fmode_read(f))
		return -EBADF;
	if (len < (size_t)q->attr.mq_msgsize)
		return -EMSGSIZE;
	if (!q->attr.mq_curmsgs) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (signal_pending(t))
			return -ERESTARTSYS;
		if (t->sys.timed_out || (deadline && deadline <= kernel_mono_ns()))
			return -ETIMEDOUT;
		task_wait_on(t, &q->recv_wq);
		if (deadline)
			task_set_deadline(t, deadline);
		return -EBLOCKED;
	}
	m = list_first_entry(&q->msgs, struct mq_msg, link);
	list_del(&m->link);
	q->attr.mq_curmsgs--;
	q->qsize -= m->len;
	touch(q->inode, true, true, true);
	wq_wake_all(&q->send_wq);
	wq_wake_key(&q->poll_wq, POLLOUT | POLLWRNORM);
	/* The message is gone even if it cannot be copied out, as Linux. */
	rc = (long)m->len;
	if ((uprio && copy_to_user(t, uprio, &m->prio, sizeof(m->prio))) ||
	    copy_to_user(t, uptr, m->data, m->len))
		rc = -EFAULT;
	free(m);
	return rc;
}

int mqueue_notify(struct task *t, struct file *f, const struct sigevent *ev)
{
	struct mqueue *q = mqueue_from_file(f);

	if (!q)
		return -EBADF;
	if (!ev) {
		if (notify_registered(q) && q->notify_tgid == task_tgid(t)) {
			remove_notification(q);
			touch(q->inode, true, false, true);
		}
		return 0;
	}
	if (notify_registered(q))
		return -EBUSY;
	memset(&q->notify, 0, sizeof(q->notify));
	q->notify.sigev_notify = ev->sigev_notify;
	if (ev->sigev_notify == SIGEV_SIGNAL) {
		q->notify.sigev_signo = ev->sigev_signo;
		q->notify.sigev_value = ev->sigev_value;
	}
	q->notify_set = true;
	q->notify_tgid = task_tgid(t);
	q->notify_start = t->tg->start_time_mono;
	touch(q->inode, true, false, true);
	return 0;
}

void mqueue_getattr(struct file *f, struct mq_attr_k *out)
{
	struct mqueue *q = mqueue_from_file(f);

	*out = q->attr;
	out->mq_flags = f->flags & O_NONBLOCK;
}

void mqueue_touch(struct file *f)
{
	touch(f->inode, true, false, true);
}

/* ---- the queue's file ---- */

static ssize_t mq_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct mqueue *q = mqueue_from_file(f);
	bool reg = notify_registered(q);
	char text[FILENT_SIZE];
	size_t n;

	snprintf(text, sizeof(text), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", q->qsize,
		 reg ? q->notify.sigev_notify : 0,
		 reg && q->notify.sigev_notify == SIGEV_SIGNAL ? q->notify.sigev_signo : 0,
		 reg ? q->notify_tgid : 0);
	n = strlen(text);
	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos >= n || !len)
		return 0;
	n = MIN(len, n - (size_t)*pos);
	memcpy(buf, text + *pos, n);
	*pos += (int64_t)n;
	touch(f->inode, true, false, true);
	return (ssize_t)n;
}

/* default_llseek(). */
static int64_t mq_llseek(struct file *f, int64_t off, int whence)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = f->inode->size;
		break;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &base) || base < 0)
		return -EINVAL;
	f->pos = base;
	return base;
}

static unsigned int mq_poll(struct file *f, struct task *t, unsigned int events)
{
	struct mqueue *q = mqueue_from_file(f);
	unsigned int mask = 0;

	if (q->attr.mq_curmsgs)
		mask |= POLLIN | POLLRDNORM;
	if (q->attr.mq_curmsgs < q->attr.mq_maxmsg)
		mask |= POLLOUT | POLLWRNORM;
	if (t && !(mask & events))
		task_wait_on(t, &q->poll_wq);
	return mask;
}

/* mqueue_flush_file(): the owner closing any descriptor of the queue
 * drops its notification. */
static void mq_flush(struct file *f, struct fdtable *ft)
{
	struct mqueue *q = mqueue_from_file(f);
	struct task *cur = kernel ? kernel->current : NULL;

	(void)ft;
	if (q && cur && notify_registered(q) && q->notify_tgid == task_tgid(cur))
		remove_notification(q);
}

static const struct file_ops mq_file_fops = {
	.read = mq_read,
	.llseek = mq_llseek,
	.poll = mq_poll,
	.flush = mq_flush,
};

/* ---- mount(2) ---- */

static int mqueue_mount(const char *source, unsigned long sb_flags, const char *data,
			struct inode **root)
{
	/* Linux's mqueue has no options: any is an unknown parameter. */
	(void)source;
	(void)sb_flags;
	if (data && *data)
		return -EINVAL;
	mq_sb_init();
	*root = inode_get(mq_root_inode);
	return 0;
}

FS_TYPE_DEFINE(mqueue) = {
	.name = "mqueue",
	.mount = mqueue_mount,
	.flags = FS_TYPE_NODEV,
};
