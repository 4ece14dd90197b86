/* Advisory file locks with Linux's semantics (fs/locks.c).
 *
 * Each inode holds one list of locks. flock locks only conflict with
 * other flock locks; POSIX and OFD record locks share one namespace. A
 * lock's owner is the struct file (flock, OFD) or the struct fdtable
 * (POSIX: Linux's fl_owner = current->files). Blocked lockers all wait on
 * one queue, woken whenever any lock is released or shrunk, and re-run
 * their syscall. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/file.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/vfs.h"
#include "sentry/vfs/locks.h"

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

#define OFFSET_MAX INT64_MAX

enum { FL_FLOCK, FL_POSIX, FL_OFD };

struct file_lock {
	struct file_lock *next;
	int flavor;
	short type;             /* F_RDLCK or F_WRLCK */
	const void *owner;
	pid_t pid;              /* the POSIX owner's tgid, for F_GETLK */
	int64_t start, end;     /* inclusive; end OFFSET_MAX = to EOF */
};

static struct waitqueue locks_wq;
static bool locks_wq_ready;

static struct waitqueue *lock_waitqueue(void)
{
	if (!locks_wq_ready) {
		wq_init(&locks_wq);
		locks_wq_ready = true;
	}
	return &locks_wq;
}

static void locks_wake(void)
{
	if (locks_wq_ready)
		wq_wake_all(&locks_wq);
}

/* Who a blocked POSIX locker waits for, for EDEADLK detection (Linux's
 * blocked_hash). An entry lives only while its task is blocked. */
struct posix_wait {
	struct posix_wait *next;
	struct task *task;
	const void *owner, *blocker;
};
static struct posix_wait *posix_waits;

static void posix_wait_del(struct task *t)
{
	for (struct posix_wait **pp = &posix_waits; *pp;) {
		struct posix_wait *w = *pp;

		if (w->task == t) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

void locks_owner_gone(struct fdtable *ft)
{
	for (struct posix_wait **pp = &posix_waits; *pp;) {
		struct posix_wait *w = *pp;

		if (w->owner == ft) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

/* Linux's posix_locks_deadlock: follow "owner waits for blocker" edges
 * from the blocker; reaching ourselves closes a cycle. */
static bool posix_deadlock(const void *owner, const void *blocker)
{
	for (int depth = 0; depth < 10 && blocker; depth++) {
		const void *next = NULL;

		if (blocker == owner)
			return true;
		for (struct posix_wait *w = posix_waits; w; w = w->next)
			if (w->owner == blocker) {
				next = w->blocker;
				break;
			}
		blocker = next;
	}
	return false;
}

static bool same_namespace(int a, int b)
{
	return (a == FL_FLOCK) == (b == FL_FLOCK);
}

static bool locks_conflict(const struct file_lock *held, const struct file_lock *req)
{
	if (!same_namespace(held->flavor, req->flavor) || held->owner == req->owner)
		return false;
	if (held->start > req->end || req->start > held->end)
		return false;
	return held->type == F_WRLCK || req->type == F_WRLCK;
}

static struct file_lock *find_conflict(struct inode *ino, const struct file_lock *req)
{
	for (struct file_lock *l = ino->i_flock; l; l = l->next)
		if (locks_conflict(l, req))
			return l;
	return NULL;
}

static struct file_lock *lock_new(const struct file_lock *tmpl, int64_t start, int64_t end)
{
	struct file_lock *l = xzalloc(sizeof(*l));

	*l = *tmpl;
	l->start = start;
	l->end = end;
	return l;
}

/* Removes or trims req->owner's locks of req's flavor over [start, end]
 * and, unless req is F_UNLCK, inserts req merged with adjacent or
 * overlapping locks of the same type (Linux's posix_lock_inode). Returns
 * whether anything was released or shrunk (waiters may now proceed). */
static bool posix_apply(struct inode *ino, const struct file_lock *req)
{
	int64_t start = req->start, end = req->end;
	bool released = false;

	for (struct file_lock **pp = &ino->i_flock; *pp;) {
		struct file_lock *l = *pp;
		bool adjacent = (l->end != OFFSET_MAX && l->end + 1 == start) ||
				(end != OFFSET_MAX && end + 1 == l->start);
		bool overlap = !(l->start > end || start > l->end);

		if (l->flavor != req->flavor || l->owner != req->owner || (!overlap && !adjacent)) {
			pp = &l->next;
			continue;
		}
		if (l->type == req->type && req->type != F_UNLCK) {
			/* Same type: absorb it into the new lock. */
			if (l->start < start)
				start = l->start;
			if (l->end > end)
				end = l->end;
			*pp = l->next;
			free(l);
			continue;
		}
		if (!overlap) {
			pp = &l->next;
			continue;
		}
		/* Different type (or unlock) overlapping: keep what lies outside. */
		released = released || l->type == F_WRLCK || req->type == F_UNLCK;
		if (l->start < start) {
			struct file_lock *left = lock_new(l, l->start, start - 1);

			left->next = l->next;
			l->next = left;
		}
		if (l->end > end) {
			struct file_lock *right = lock_new(l, end + 1, l->end);

			right->next = l->next;
			l->next = right;
		}
		*pp = l->next;
		free(l);
	}
	if (req->type != F_UNLCK) {
		struct file_lock *n = lock_new(req, start, end);

		n->next = ino->i_flock;
		ino->i_flock = n;
	}
	return released;
}

/* Drops every lock matching flavor/owner on ino (owner NULL: any). */
static void remove_owned(struct inode *ino, int flavor, const void *owner)
{
	bool any = false;

	for (struct file_lock **pp = &ino->i_flock; *pp;) {
		struct file_lock *l = *pp;

		if (l->flavor == flavor && l->owner == owner) {
			*pp = l->next;
			free(l);
			any = true;
		} else {
			pp = &l->next;
		}
	}
	if (any)
		locks_wake();
}

void locks_remove_file(struct file *f)
{
	if (!f->inode || !f->inode->i_flock)
		return;
	remove_owned(f->inode, FL_FLOCK, f);
	remove_owned(f->inode, FL_OFD, f);
}

void locks_remove_posix(struct file *f, struct fdtable *ft)
{
	if (!f || !f->inode || !f->inode->i_flock)
		return;
	remove_owned(f->inode, FL_POSIX, ft);
}

static bool file_can_lock(const struct file *f)
{
	return f->inode && !(f->flags & O_PATH);
}

long locks_flock(struct task *t, struct file *f, unsigned int cmd)
{
	bool nb = cmd & LOCK_NB;
	struct file_lock req = { .flavor = FL_FLOCK, .owner = f, .start = 0, .end = OFFSET_MAX };
	struct file_lock *cur = NULL;

	switch (cmd & ~LOCK_NB) {
	case LOCK_SH:
		req.type = F_RDLCK;
		break;
	case LOCK_EX:
		req.type = F_WRLCK;
		break;
	case LOCK_UN:
		req.type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	if (f->flags & O_PATH)
		return -EBADF;
	if (!f->inode) {
		log_once("flock-anon", "flock on a file without an inode is not supported: EINVAL");
		return -EINVAL;
	}
	for (cur = f->inode->i_flock; cur; cur = cur->next)
		if (cur->flavor == FL_FLOCK && cur->owner == f)
			break;
	if (cur && cur->type == req.type)
		return 0;
	/* Linux converts by dropping the old lock first: not atomic. */
	if (cur)
		remove_owned(f->inode, FL_FLOCK, f);
	if (req.type == F_UNLCK)
		return 0;
	if (find_conflict(f->inode, &req)) {
		if (nb)
			return -EWOULDBLOCK;
		if (signal_pending(t))
			return -ERESTARTSYS;
		task_wait_on(t, lock_waitqueue());
		return -EBLOCKED;
	}
	req.next = f->inode->i_flock;
	f->inode->i_flock = lock_new(&req, 0, OFFSET_MAX);
	return 0;
}

/* struct flock → inclusive range (Linux's flock_to_posix_lock). */
static int flock_to_range(struct file *f, const struct flock *fl, int64_t *start, int64_t *end)
{
	int64_t base;

	switch (fl->l_whence) {
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
	if (__builtin_add_overflow(base, (int64_t)fl->l_start, start))
		return -EOVERFLOW;
	if (*start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - *start)
			return -EOVERFLOW;
		*end = *start + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (*start + fl->l_len < 0)
			return -EINVAL;
		*end = *start - 1;
		*start += fl->l_len;
	} else {
		*end = OFFSET_MAX;
	}
	return 0;
}

long locks_fcntl(struct task *t, struct file *f, int cmd, struct flock *flp)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool getlk = cmd == F_GETLK || cmd == F_OFD_GETLK;
	bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
	struct file_lock req = { 0 };
	struct file_lock *c;
	struct flock fl = *flp;
	int r;

	posix_wait_del(t);
	if (!file_can_lock(f)) {
		if (!f->inode)
			log_once("fcntl-lock-anon", "record locks on a file without an inode are not "
				 "supported: EINVAL");
		return f->inode ? -EBADF : -EINVAL;
	}
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	r = flock_to_range(f, &fl, &req.start, &req.end);
	if (r)
		return r;
	req.type = fl.l_type;
	req.flavor = ofd ? FL_OFD : FL_POSIX;
	req.owner = ofd ? (const void *)f : (const void *)t->files;
	req.pid = ofd ? -1 : task_tgid(t);

	if (getlk) {
		if (req.type == F_UNLCK)
			return -EINVAL;
		c = f->inode->i_flock ? find_conflict(f->inode, &req) : NULL;
		if (!c) {
			fl.l_type = F_UNLCK;
		} else {
			fl.l_type = c->type;
			fl.l_whence = SEEK_SET;
			fl.l_start = c->start;
			fl.l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
			fl.l_pid = c->flavor == FL_OFD ? -1 : c->pid;
		}
		*flp = fl;
		return 0;
	}

	if ((req.type == F_RDLCK && (f->flags & O_ACCMODE) == O_WRONLY) ||
	    (req.type == F_WRLCK && (f->flags & O_ACCMODE) == O_RDONLY))
		return -EBADF;
	if (req.type != F_UNLCK) {
		c = find_conflict(f->inode, &req);
		if (c) {
			if (!wait)
				return -EAGAIN;
			if (!ofd && c->flavor == FL_POSIX && posix_deadlock(req.owner, c->owner))
				return -EDEADLK;
			if (signal_pending(t))
				return -ERESTARTSYS;
			if (!ofd) {
				struct posix_wait *w = xzalloc(sizeof(*w));

				w->task = t;
				w->owner = req.owner;
				w->blocker = c->owner;
				w->next = posix_waits;
				posix_waits = w;
			}
			task_wait_on(t, lock_waitqueue());
			return -EBLOCKED;
		}
	}
	if (posix_apply(f->inode, &req))
		locks_wake();
	return 0;
}
